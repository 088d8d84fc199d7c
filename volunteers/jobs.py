"""Batches of volunteering documents made on the task worker (portal.document_jobs):

- "volunteers.certificates": a ZIP of service-hours certificates (证明) for the volunteers a
  coordinator selected (those of their community with hours in a period, or of one task or
  shift). Each certificate is issued by `services.issue_certificate`, which gives back the one
  already issued for the same period, hours and name: a job run twice issues nothing twice.
- "volunteers.party_report": the in-service party members' (在职党员) hours by work unit for
  the employers' party branches: one PDF per work unit (to send to that branch) and one
  spreadsheet of them all, in a ZIP.

Both re-read their records through `scope(..., job.user)`: an id the person may no longer see
is left out.
"""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.document_jobs import DocumentJobError, Kind, Output, Zip, run_zip, safe_name
from portal.importexport.exports import spreadsheet_bytes
from portal.pdf import render_pdf
from portal.scoping import scope

from . import services
from .models import VolunteerProfile


def _period(job):
    try:
        return date.fromisoformat(job.params["start"]), date.fromisoformat(job.params["end"])
    except (KeyError, TypeError, ValueError):
        raise DocumentJobError(_("The period of this job is not valid.")) from None


def served_in(start, end, task=None, shift=None):
    """A condition on VolunteerProfile: recorded minutes in the period (on the task or shift)."""
    condition = Q(
        signups__attendance__minutes__gt=0,
        signups__shift__cancelled_at__isnull=True,
        signups__shift__start__date__gte=start,
        signups__shift__start__date__lte=end,
    )
    if task is not None:
        condition &= Q(signups__shift__task=task)
    if shift is not None:
        condition &= Q(signups__shift=shift)
    return condition


def certificate_candidates(user, start, end, *, community=None, task=None, shift=None):
    """The verified volunteers `user` may see who served in the period (and on the task or
    shift, in the community, when given): whom a bulk certificate job would cover."""
    profiles = scope(
        VolunteerProfile.objects.filter(status=VolunteerProfile.Status.VERIFIED), user
    ).filter(served_in(start, end, task, shift))
    if community is not None:
        profiles = profiles.filter(community=community)
    return profiles.order_by("pk").distinct()


def build_certificates(job, progress):
    from .views import certificate_pdf

    start, end = _period(job)
    ids = [int(pk) for pk in job.params.get("profile_ids", [])]
    profiles = list(
        scope(VolunteerProfile.objects.filter(pk__in=ids), job.user)
        .select_related("community__subdistrict")
        .order_by("pk")
    )

    def make(profile):
        try:
            cert = services.issue_certificate(profile, start, end)
        except services.VolunteerError:
            return None  # no longer verified, or no hours after a correction
        _name, _type, content = certificate_pdf(None, cert)
        return f"{cert.name}-{cert.serial}.pdf", content, cert.pk, cert.community_id

    title = _("Certificates")
    filename = f"{title}-{start:%Y%m%d}-{end:%Y%m%d}.zip"
    return run_zip(job, progress, profiles, make, filename, "volunteers.certificate")


def party_profiles(user, work_unit=""):
    profiles = scope(VolunteerProfile.objects.filter(is_party_member=True), user)
    if work_unit:
        profiles = profiles.filter(work_unit__icontains=work_unit)
    return profiles


def build_party_report(job, progress):
    from .resources import party_report_dataset

    start, end = _period(job)
    profiles = party_profiles(job.user, job.params.get("work_unit", ""))
    units = services.party_report(profiles, start, end)
    progress(0, len(units) + 1)
    archive = Zip()
    period = f"{start:%Y%m%d}-{end:%Y%m%d}"
    dataset = party_report_dataset(units)
    dataset.title = _("Party members' hours")
    title = _("Party members hours")
    archive.add(f"{title}-{period}.xlsx", spreadsheet_bytes(dataset, "xlsx"))
    progress(1)
    for n, unit in enumerate(units, start=2):
        context = {"units": [unit], "start": start, "end": end}
        _name, _type, content = render_pdf("volunteers/pdf/party_report.html", context, "x.pdf")
        archive.add(f"{safe_name(unit['work_unit'], 'unit')}-{period}.pdf", content)
        progress(n)
    members = list(profiles.values_list("pk", "community_id"))
    return Output(
        f"{title}-{period}.zip",
        archive.close(),
        "volunteers.volunteerprofile",
        ids=[pk for pk, _c in members],
        communities={c for _pk, c in members},
    )


KINDS = {
    "certificates": Kind(
        label=gettext_lazy("Certificates of service hours"),
        build=build_certificates,
        permission="volunteers.view_certificate",
    ),
    "party_report": Kind(
        label=gettext_lazy("Party members' hours by work unit"),
        build=build_party_report,
        permission="volunteers.view_volunteerprofile",
    ),
}

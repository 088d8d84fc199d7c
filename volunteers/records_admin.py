"""Back-office exports of service records in the national form (issue 14.5): the records of a
volunteer, a community, a team, a project, a task and a period as xlsx, and a volunteer's
certificate of volunteer service (志愿服务证明) as PDF. Everything is scoped, ID numbers are masked
unless the exporter may see them whole, and every download asks for the second factor again and
is in the audit trail."""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from portal import audit
from portal.importexport import spreadsheet_response
from portal.links import site_url
from portal.pdf import pdf_response, render_pdf
from portal.qr import qr_data_uri
from portal.scoping import communities_for, get_scoped_or_404, scope
from portal.tokens import sign
from portal.widgets import DateInput

from . import records
from .models import Project, Task, Team, VolunteerProfile
from .services import VolunteerError
from .views import CERTIFICATE_SIGNING_KIND


class RecordsForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("period start", "From"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())
    community = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("community")
    )
    team = forms.ModelChoiceField(queryset=None, required=False, label=gettext_lazy("team"))
    project = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("volunteer project")
    )
    task = forms.ModelChoiceField(
        queryset=None, required=False, label=gettext_lazy("Service project (task)")
    )
    profile = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # every choice scoped: a team leader is offered their teams and their projects only
        self.fields["community"].queryset = communities_for(user)
        self.fields["team"].queryset = scope(Team.objects.all(), user).order_by("name", "pk")
        self.fields["project"].queryset = scope(Project.objects.all(), user).order_by(
            "-start_date", "title"
        )
        self.fields["task"].queryset = scope(Task.objects.all(), user).select_related("community")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end of the period is before its start."))
        return data


def _records_download(request):
    return request.GET.get("format") == "xlsx"


@permission_required("volunteers.view_attendance", raise_exception=True)
@reauthentication_required(enabled=_records_download)
def records_export(request):
    today = timezone.localdate()
    initial = {"start": today.replace(month=1, day=1), "end": today}
    form = RecordsForm(request.GET or None, user=request.user, initial=initial)
    profile = None
    if request.GET.get("profile"):
        profile = get_scoped_or_404(request.user, VolunteerProfile, pk=request.GET["profile"])
    if _records_download(request) and form.is_valid():
        data = form.cleaned_data
        queryset = records.records(
            request.user,
            profile=profile,
            community=data["community"],
            task=data["task"],
            team=data["team"],
            project=data["project"],
            start=data["start"],
            end=data["end"],
        )
        full = records.can_see_full_id_numbers(request.user)
        dataset = records.records_dataset(queryset, full_id_numbers=full)
        audit.record_export(
            request,
            queryset,
            "xlsx",
            report="service_records",
            start=data["start"],
            end=data["end"],
            community=data["community"].pk if data["community"] else None,
            task=data["task"].pk if data["task"] else None,
            team=data["team"].pk if data["team"] else None,
            project=data["project"].pk if data["project"] else None,
            profile=profile.pk if profile else None,
            full_id_numbers=full,
        )
        return spreadsheet_response(
            dataset,
            "xlsx",
            f"service-records-{data['start']}-{data['end']}",
            _("Volunteer service records"),
        )
    return render(
        request,
        "volunteers/admin/records.html",
        {"form": form, "profile": profile, "query": request.GET.urlencode()},
    )


@permission_required("volunteers.view_volunteerprofile", raise_exception=True)
@require_POST
@reauthentication_required
def service_proof(request, pk):
    profile = get_scoped_or_404(
        request.user, VolunteerProfile.objects.select_related("community__subdistrict"), pk=pk
    )
    form = RecordsForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Please choose the period of the certificate."))
        return redirect("volunteers_records:export")
    try:
        certificate = records.issue_service_proof(
            profile, request.user, form.cleaned_data["start"], form.cleaned_data["end"]
        )
    except VolunteerError as error:
        messages.error(request, error.messages[0])
        return redirect(f"{_export_url()}?profile={profile.pk}")
    audit.record_export(
        request,
        VolunteerProfile.objects.filter(pk=profile.pk),
        "pdf",
        report="service_proof",
        certificate=certificate.serial,
    )
    return pdf_response(service_proof_pdf(certificate, profile))


def _export_url():
    from django.urls import reverse

    return reverse("volunteers_records:export")


def service_proof_pdf(certificate, profile):
    url = site_url("volunteers:verify", sign(CERTIFICATE_SIGNING_KIND, certificate.serial))
    from .services.stars import star_level_for

    return render_pdf(
        "volunteers/pdf/service_proof.html",
        {
            "certificate": certificate,
            "id_type": records.id_type_name(profile),
            "masked_id": profile.masked_id_number,
            "star_level": star_level_for(profile),
            "verify_url": url,
            "qr": qr_data_uri(url),
            "issued_on": timezone.localtime(certificate.issued_at).date(),
            "document_title": gettext_lazy("Certificate of volunteer service"),
            "document_number": certificate.serial,
            "subdistrict_name": certificate.community.subdistrict.name,
        },
        f"service-proof-{certificate.serial}.pdf",
    )

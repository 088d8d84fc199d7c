"""Back-office screens that start batches on the worker (volunteers/jobs.py): certificates for
many volunteers at once, and the party-member report by work unit."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from portal.document_jobs import start_job
from portal.scoping import communities_for, scope
from portal.widgets import DateInput

from . import services
from .jobs import certificate_candidates, party_profiles
from .models import Shift, Task


class BulkCertificateForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("period start", "From"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())
    community = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("community"),
        empty_label=gettext_lazy("All my communities"),
    )
    task = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("task"),
        empty_label=gettext_lazy("Every task"),
    )
    shift = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(user)
        self.fields["task"].queryset = scope(Task.objects.all(), user).order_by("title")
        self.fields["shift"].queryset = scope(Shift.objects.all(), user)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


def _one_community(profiles):
    ids = list(profiles.order_by().values_list("community_id", flat=True).distinct()[:2])
    return ids[0] if len(ids) == 1 else None


@permission_required("volunteers.view_certificate", raise_exception=True)
def bulk_certificates(request):
    """Choose whom (the community's volunteers with hours in the period, or those of a task or
    a shift), see how many, then have the worker issue and print their certificates."""
    first, last = services.month_bounds(timezone.localdate())
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = BulkCertificateForm(data, user=request.user, initial={"start": first, "end": last})
    profiles = None
    if form.is_bound and form.is_valid():
        cleaned = form.cleaned_data
        profiles = certificate_candidates(
            request.user,
            cleaned["start"],
            cleaned["end"],
            community=cleaned["community"],
            task=cleaned["task"],
            shift=cleaned["shift"],
        )
        if request.method == "POST":
            ids = list(profiles.values_list("pk", flat=True))
            if not ids:
                form.add_error(None, _("Nobody has recorded hours in this period."))
            else:
                with transaction.atomic():
                    job = start_job(
                        user=request.user,
                        kind="volunteers.certificates",
                        params={
                            "profile_ids": ids,
                            "start": cleaned["start"].isoformat(),
                            "end": cleaned["end"].isoformat(),
                        },
                        total=len(ids),
                        community_id=_one_community(profiles),
                    )
                return HttpResponseRedirect(reverse("portal_document_job", args=[job.pk]))
    return render(
        request,
        "volunteers/admin/bulk_certificates.html",
        {"form": form, "count": None if profiles is None else profiles.count()},
    )


class PartyReportJobForm(forms.Form):
    start = forms.DateField(widget=DateInput())
    end = forms.DateField(widget=DateInput())
    work_unit = forms.CharField(required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


@permission_required("volunteers.view_volunteerprofile", raise_exception=True)
def party_report_job(request):
    """POST from the party-member report page: one PDF per work unit and the spreadsheet, in a
    ZIP made on the worker."""
    form = PartyReportJobForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        from wagtail.admin import messages

        messages.error(request, _("Please choose the period of the report."))
        return HttpResponseRedirect(reverse("volunteers_admin:party_report"))
    cleaned = form.cleaned_data
    profiles = party_profiles(request.user, cleaned["work_unit"])
    with transaction.atomic():
        job = start_job(
            user=request.user,
            kind="volunteers.party_report",
            params={
                "start": cleaned["start"].isoformat(),
                "end": cleaned["end"].isoformat(),
                "work_unit": cleaned["work_unit"],
            },
            community_id=_one_community(profiles),
        )
    return HttpResponseRedirect(reverse("portal_document_job", args=[job.pk]))

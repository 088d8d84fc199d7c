"""The back-office screen that has the worker print many donation receipts at once
(donations/jobs.py): those received in a period, or those of the pledges chosen in the list."""

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
from portal.params import parse_ids
from portal.widgets import DateInput

from .jobs import receipt_selection

MAX_PLEDGES = 500


class ReceiptBatchForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("period start", "From"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data


@permission_required("donations.view_receipt", raise_exception=True)
def bulk_receipts(request):
    data = request.POST if request.method == "POST" else (request.GET or None)
    today = timezone.localdate()
    form = ReceiptBatchForm(data, initial={"start": today.replace(day=1), "end": today})
    pledge_ids = parse_ids((data or {}).getlist("pledge") if data else [])[:MAX_PLEDGES]
    receipts = None
    if form.is_bound and form.is_valid():
        receipts = receipt_selection(
            request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            pledge_ids=pledge_ids,
        )
        if request.method == "POST":
            ids = list(receipts.values_list("pk", flat=True))
            if not ids:
                form.add_error(None, _("No receipts were issued in this period."))
            else:
                with transaction.atomic():
                    job = start_job(
                        user=request.user,
                        kind="donations.receipts",
                        params={"receipt_ids": ids, "pledge_ids": pledge_ids},
                        total=len(ids),
                    )
                return HttpResponseRedirect(reverse("portal_document_job", args=[job.pk]))
    return render(
        request,
        "donations/admin/bulk_receipts.html",
        {
            "title": _("Print donation receipts"),
            "form": form,
            "pledge_ids": pledge_ids,
            "count": None if receipts is None else receipts.count(),
        },
    )

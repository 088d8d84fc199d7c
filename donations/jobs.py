"""Batches of donation documents made on the task worker (portal.document_jobs):

- "donations.receipts": a ZIP of donation receipts (捐赠接收凭证) for the receipts of a period,
  or of the pledges chosen, as the warehouse staff hand them out or file them. A receipt is
  already issued when the goods are received, so the job only prints: running it twice prints
  the same receipts again into one file.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.document_jobs import Kind, run_zip
from portal.scoping import scope

from .documents import receipt_pdf
from .models import Receipt


def receipt_selection(user, *, start=None, end=None, pledge_ids=()):
    """The receipts `user` may see, received in the period (Beijing dates) or of the pledges."""
    receipts = scope(Receipt.objects.all(), user)
    if start is not None:
        receipts = receipts.filter(received_at__date__gte=start)
    if end is not None:
        receipts = receipts.filter(received_at__date__lte=end)
    if pledge_ids:
        receipts = receipts.filter(pledge_id__in=list(pledge_ids))
    return receipts.order_by("pk")


def build_receipts(job, progress):
    ids = [int(pk) for pk in job.params.get("receipt_ids", [])]
    receipts = list(scope(Receipt.objects.filter(pk__in=ids), job.user).order_by("pk"))

    def make(receipt):
        filename, _type, content = receipt_pdf(receipt, language=job.language)
        return filename, content, receipt.pk, None  # receipts belong to no community

    title = _("Donation receipts")
    return run_zip(job, progress, receipts, make, f"{title}.zip", "donations.receipt")


KINDS = {
    "receipts": Kind(
        label=gettext_lazy("Donation receipts"),
        build=build_receipts,
        permission="donations.view_receipt",
    ),
}

"""The PDFs of the donations app: the donation receipt (捐赠接收凭证), the thank-you letter
(感谢信) and the dispatch note (出库单). A receipt carries a QR code to a public page that
verifies it; the link holds the serial signed with portal.tokens. A dispatch note's QR code
opens the confirm-receipt screen of that dispatch, which only the receiving community's staff
may use.

Titles are gettext_lazy: portal.pdf renders each document inside translation.override of its
language, so they come out in that language, and makemessages sees the literal string."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.models import Dispatch, Receipt
from portal import tokens
from portal.links import site_url
from portal.pdf import render_pdf

SUBDISTRICT_OFFICE = "卢沟桥街道办事处"
TOKEN_KIND = "donation-receipt"  # noqa: S105 - a token salt name, not a secret


def verification_url(receipt):
    token = tokens.sign(TOKEN_KIND, receipt.serial)
    return site_url("donations:verify", token)


def receipt_from_token(token):
    """The receipt a token stands for, or None when the token is forged or its serial unknown."""
    try:
        serial = tokens.verify(TOKEN_KIND, token)
    except tokens.InvalidToken:
        return None
    return Receipt.objects.select_related("pledge__donor", "location").filter(serial=serial).first()


def _receipt_context(receipt):
    receipt = Receipt.objects.select_related("pledge__donor", "location").get(pk=receipt.pk)
    lines = list(
        receipt.lines.select_related(
            "pledge_line__item", "lot", "pledge_line__need__item", "pledge_line__need__community"
        ).order_by("pk")
    )
    url = verification_url(receipt)
    needs = {line.pledge_line.need_id: line.pledge_line.need for line in lines if line.accepted}
    return {
        "receipt": receipt,
        "donor": receipt.pledge.donor,
        "lines": lines,
        "accepted_lines": [line for line in lines if line.accepted],
        "rejected_lines": [line for line in lines if line.rejected],
        # the public needs this delivery answered (issue 15.3)
        "needs": [need for key, need in needs.items() if key],
        "verify_url": url,
        "subdistrict_name": SUBDISTRICT_OFFICE,
        "document_number": receipt.serial,
        "today": timezone.localdate(),
        "received_date": timezone.localtime(receipt.received_at).date(),
    }


def receipt_pdf(receipt, language="zh-hans"):
    context = {**_receipt_context(receipt), "document_title": _("Donation receipt")}
    return render_pdf(
        "donations/pdf/receipt.html",
        context,
        f"捐赠接收凭证-{context['receipt'].serial}.pdf",
        language=language,
    )


def thank_you_pdf(receipt, language="zh-hans"):
    context = {**_receipt_context(receipt), "document_title": _("Thank-you letter")}
    return render_pdf(
        "donations/pdf/thank_you.html",
        context,
        f"感谢信-{context['receipt'].serial}.pdf",
        language=language,
    )


def dispatch_note_pdf(note, language="zh-hans"):
    note = Dispatch.objects.select_related(
        "community", "from_location", "to_location", "dispatched_by"
    ).get(pk=note.pk)
    allocations = list(
        note.allocations.select_related(
            "lot__item", "lot__donor", "request_line__request"
        ).order_by("lot__item__name", "pk")
    )
    return render_pdf(
        "donations/pdf/dispatch_note.html",
        {
            # The receiving community scans it to confirm receipt (its staff only).
            "verify_url": site_url("donations_admin:confirm_receipt", note.pk),
            "note": note,
            "allocations": allocations,
            "dispatched_date": timezone.localtime(note.dispatched_at).date(),
            "subdistrict_name": SUBDISTRICT_OFFICE,
            "document_title": _("Dispatch note"),
            "document_number": note.serial,
        },
        f"出库单-{note.serial}.pdf",
        language=language,
    )


def donor_return_pdf(document, language="zh-hans"):
    """退货单: units of a lot given back to its donor (issue 15.6)."""
    from donations.models import DonorReturn

    document = DonorReturn.objects.select_related(
        "lot__item", "lot__donor", "location", "returned_by"
    ).get(pk=document.pk)
    return render_pdf(
        "donations/pdf/donor_return.html",
        {
            "document": document,
            "returned_date": timezone.localtime(document.returned_at).date(),
            "subdistrict_name": SUBDISTRICT_OFFICE,
            "document_title": _("Return note"),
            "document_number": document.serial,
        },
        f"退货单-{document.serial}.pdf",
        language=language,
    )


def stocktake_sheet_pdf(stocktake, language="zh-hans"):
    """盘点表: the lots on the count sheet, with an empty box for what is on the shelf. Blind:
    the book quantities are not printed. Its QR code opens the count entry page (on a phone)."""
    from donations.models import StockTake
    from donations.services.stocktake import SHEET_ORDER

    stocktake = StockTake.objects.select_related("location", "started_by").get(pk=stocktake.pk)
    lines = list(stocktake.lines.select_related("lot__item", "lot__donor").order_by(*SHEET_ORDER))
    return render_pdf(
        "donations/pdf/stocktake_sheet.html",
        {
            "stocktake": stocktake,
            "lines": lines,
            "started_date": timezone.localtime(stocktake.started_at).date(),
            "verify_url": site_url("donations_admin:stocktake", stocktake.pk),
            "subdistrict_name": SUBDISTRICT_OFFICE,
            "document_title": _("Stock-take count sheet"),
            "document_number": stocktake.serial,
        },
        f"盘点表-{stocktake.serial}.pdf",
        language=language,
    )

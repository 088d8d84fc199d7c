"""The donor's closing letter (issue 15.7): once every unit a pledge brought in has been
handed out (nothing left in any store or in transit, something handed out), its donor's
representatives are told once, with the letter (a PDF: where every unit went, by community)
and the public "where it went" link.

`ledger.record` calls `after_movement` for the kinds that take goods off the books; the check
runs only when the movement left the lot with no stock anywhere, so it costs one query on most
hand-outs."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.models import Balance, ClosingLetter, Lot, Movement, Pledge
from portal.links import site_url
from portal.notify import notify
from portal.pdf import render_pdf

from .needs import needs_of
from .trace import where_it_went

Kind = Movement.Kind
LEAVING_KINDS = (Kind.DISTRIBUTE, Kind.DISCARD, Kind.RETURN_TO_DONOR, Kind.ADJUST)
FINISHED = (Pledge.Status.RECEIVED, Pledge.Status.CLOSED)


def after_movement(lot, kind):
    if kind not in LEAVING_KINDS or lot.pledge_line_id is None:
        return
    if Balance.objects.filter(lot_id=lot.pk, quantity__gt=0).exists():
        return
    pledge = Pledge.objects.filter(lines__pk=lot.pledge_line_id).first()
    if pledge is not None:
        close_if_handed_out(pledge)


def fully_handed_out(pledge):
    if pledge.status not in FINISHED:
        return False
    lots = Lot.objects.filter(pledge_line__pledge=pledge)
    if Balance.objects.filter(lot__in=lots, quantity__gt=0).exists():
        return False
    return Movement.objects.filter(lot__in=lots, kind=Kind.DISTRIBUTE).exists()


def close_if_handed_out(pledge):
    """Send the closing letter if the pledge is fully handed out and it was never sent.
    Returns the ClosingLetter when this call sent it."""
    if ClosingLetter.objects.filter(pledge=pledge).exists() or not fully_handed_out(pledge):
        return None
    try:
        with transaction.atomic():
            letter = ClosingLetter.objects.create(pledge=pledge, sent_at=timezone.now())
    except IntegrityError:
        return None  # another movement sent it a moment ago
    from donations.sharing import shared_url

    pledge = Pledge.objects.select_related("donor").get(pk=pledge.pk)
    context = {
        "donor": pledge.donor.name,
        "pledge": pledge.pk,
        "letter_url": site_url("donations:closing_letter", pledge.pk),
        "trace_url": shared_url(pledge),
    }
    for rep in pledge.donor.representatives.select_related("user").order_by("pk"):
        notify(rep.user, "donations/notify/closing_letter", context)
    return letter


def closing_letter_pdf(pledge, language="zh-hans"):
    from donations.documents import SUBDISTRICT_OFFICE
    from donations.sharing import shared_url

    pledge = Pledge.objects.select_related("donor", "closing_letter").get(pk=pledge.pk)
    lots = Lot.objects.filter(pledge_line__pledge=pledge)
    went = where_it_went(lots)
    for row in went["items"]:
        row["other"] = row["received"] - row["handed_out"] - row["in_stock"]
    return render_pdf(
        "donations/pdf/closing_letter.html",
        {
            "pledge": pledge,
            "donor": pledge.donor,
            "pledge_date": timezone.localtime(pledge.created_at).date(),
            "items": went["items"],
            "communities": went["communities"],
            "needs": needs_of(pledge),
            "verify_url": shared_url(pledge),
            "subdistrict_name": SUBDISTRICT_OFFICE,
            "document_title": _("Closing letter"),
            "document_number": str(pledge.pk),
        },
        f"结项函-{pledge.pk}.pdf",
        language=language,
    )


def letter_path(pledge):
    return reverse("donations:closing_letter", args=[pledge.pk])

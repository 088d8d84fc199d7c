"""Donors, pledges and receiving."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import (
    Donor,
    DonorRepresentative,
    Location,
    Lot,
    Pledge,
    PledgeLine,
    Receipt,
    ReceivingLine,
)
from portal import notify, roles
from portal.bounds import MAX_QUANTITY
from portal.validators import normalize_uscc

from . import needs as needs_service
from .errors import StockError
from .expiry import today as expiry_today
from .ledger import Kind, next_serial, record


def _as_stock_error(error):
    """The model's ValidationError as a StockError that still names its fields, so a form
    shows each message beside its field (portal.admin.add_error_to_form)."""
    if hasattr(error, "error_dict"):
        return StockError(error.error_dict)
    return StockError(error.messages, code="invalid")


@transaction.atomic
def register_donor(
    user,
    *,
    kind,
    name,
    credit_code="",
    contact_name,
    contact_phone,
    address="",
    public_name_consent=False,
):
    """A signed-in user registers a firm or themselves as a donor and becomes its
    representative. A firm already registered (same credit code) cannot be claimed again."""
    credit_code = normalize_uscc(credit_code)
    if kind == Donor.Kind.FIRM and Donor.objects.filter(credit_code=credit_code).exists():
        raise StockError(
            {
                "credit_code": StockError(
                    _(
                        "A donor with this unified social credit code is already registered; "
                        "ask its representative or the subdistrict office to add you."
                    ),
                    code="duplicate",
                )
            }
        )
    donor = Donor(
        kind=kind,
        name=name.strip(),
        credit_code=credit_code if kind == Donor.Kind.FIRM else "",
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
        public_name_consent=public_name_consent,
    )
    try:
        donor.full_clean()
    except ValidationError as error:
        raise _as_stock_error(error) from error
    donor.save()
    DonorRepresentative.objects.create(user=user, donor=donor)
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=roles.DONOR_REP).first()
    if group:
        user.groups.add(group)
    user._donor_ids = None
    return donor


@transaction.atomic
def verify_donor(donor, *, user):
    updated = Donor.objects.filter(pk=donor.pk, verified=False).update(
        verified=True, verified_by=user, verified_at=timezone.now()
    )
    donor.refresh_from_db()
    if updated:
        for rep in donor.representatives.select_related("user"):
            notify.notify(rep.user, "donations/notify/verified", {"donor": donor.name})
    return donor


def _submitted(donor, submission_key):
    """The pledge an earlier post of the same form made, or None. A key of another donor's
    pledge is refused, never followed."""
    existing = Pledge.objects.filter(submission_key=submission_key).first()
    if existing is not None and existing.donor_id != donor.pk:
        raise StockError(_("This form has already been sent."), code="submitted")
    if existing is not None:
        existing.repeated = True
    return existing


@transaction.atomic
def pledge(
    donor,
    lines,
    *,
    user=None,
    expected_date=None,
    note="",
    walk_in=False,
    submission_key=None,
    need=None,
):
    """Record a pledge. `lines` are dicts with item, quantity and optionally lot_number, expiry
    and photo; at most DONATIONS_PLEDGE_MAX_LINES of them (however the pledge comes in: the
    form, a spreadsheet, the back office). Raises StockError naming the first bad line.

    `submission_key` is the form's one-time token: when a pledge was already made with it (the
    form posted twice), that pledge is returned, marked `repeated`, and nothing new is written.

    `need` (a public need the donor pledges against) must still be published; the lines of its
    item carry it, and at least one line must be of that item. The pledge is marked with
    `over_need`: how many units go beyond what the need still misses (allowed, but said).
    """
    if not lines:
        raise StockError(_("A pledge needs at least one line."), code="empty")
    if len(lines) > settings.DONATIONS_PLEDGE_MAX_LINES:
        raise StockError(
            _("A pledge has at most %(max)s lines; split the goods over several pledges.")
            % {"max": settings.DONATIONS_PLEDGE_MAX_LINES},
            code="too_many_lines",
        )
    if submission_key:
        existing = _submitted(donor, submission_key)
        if existing is not None:
            return existing
    if need is not None:
        need = needs_service.lock_open_need(need)
        if not any(line["item"].pk == need.item_id for line in lines):
            raise StockError(
                _("This need asks for %(item)s; pledge at least one line of it.")
                % {"item": need.item.name},
                code="need_item",
            )
    try:
        with transaction.atomic():  # a savepoint: a racing post's insert may win
            pledge = Pledge.objects.create(
                donor=donor,
                expected_date=expected_date,
                note=note,
                walk_in=walk_in,
                created_by=user,
                submission_key=submission_key or None,
            )
    except IntegrityError:
        existing = _submitted(donor, submission_key) if submission_key else None
        if existing is None:
            raise
        return existing
    objects = []
    for number, line in enumerate(lines, start=1):
        item = line["item"]
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or quantity <= 0:
            raise StockError(
                _("Line %(n)s: the quantity must be a positive whole number.") % {"n": number},
                code="quantity",
            )
        if quantity > MAX_QUANTITY:
            raise StockError(
                _("Line %(n)s: the quantity must be at most %(max)s.")
                % {"n": number, "max": f"{MAX_QUANTITY:,}"},
                code="quantity",
            )
        if item.tracks_expiry and line.get("expiry") and line["expiry"] < expiry_today():
            raise StockError(
                _("Line %(n)s: these goods have already expired.") % {"n": number}, code="expired"
            )
        objects.append(
            PledgeLine(
                pledge=pledge,
                item=item,
                quantity=quantity,
                lot_number=(line.get("lot_number") or "").strip(),
                expiry=line.get("expiry"),
                photo=line.get("photo") or "",
                need=need if need is not None and item.pk == need.item_id else None,
            )
        )
    if any(obj.photo for obj in objects):
        for obj in objects:
            obj.save()
    else:
        PledgeLine.objects.bulk_create(objects, batch_size=1000)
    if need is not None:
        linked = sum(obj.quantity for obj in objects if obj.need is not None)
        # Missing counts what arrived, which this pledge has not changed yet.
        pledge.over_need = needs_service.over_missing(need, linked)
        needs_service.changed()
    return pledge


@transaction.atomic
def receive(pledge, location, lines, *, user, note="", received_at=None):
    """Receive a delivery against a pledge at a location.

    `lines` are dicts: pledge_line, accepted, rejected (default 0), reason, and optionally
    lot_number / expiry read off the goods. Accepted units become a lot in stock with a
    `receive` movement; rejected units are recorded with their reason. A pledge can be received
    in several deliveries but never beyond what was pledged.
    """
    pledge = (
        Pledge.objects.select_for_update(of=("self",)).select_related("donor").get(pk=pledge.pk)
    )
    donor = pledge.donor
    if not donor.can_pledge:
        raise StockError(
            _("This donor has not been verified yet; its goods cannot be received."),
            code="unverified",
        )
    if pledge.status == Pledge.Status.CANCELLED:
        raise StockError(_("This pledge was cancelled."), code="cancelled")
    if pledge.status == Pledge.Status.CLOSED:
        raise StockError(
            _("This pledge was closed; the rest is no longer expected."), code="closed"
        )
    if location.kind == Location.Kind.TRANSIT:
        raise StockError(
            _("Goods are received at a warehouse or a community store."), code="location"
        )
    pledge_lines = {line.pk: line for line in pledge.lines.select_related("item")}
    done = {
        row["pledge_line"]: row["n"]
        for row in ReceivingLine.objects.filter(pledge_line__pledge=pledge)
        .values("pledge_line")
        .annotate(n=Sum("accepted") + Sum("rejected"))
        .order_by()
    }
    wanted = [line for line in lines if (line.get("accepted") or 0) or (line.get("rejected") or 0)]
    if not wanted:
        raise StockError(
            _("Enter the quantity accepted or rejected for at least one line."), code="empty"
        )
    receipt = Receipt.objects.create(
        serial=next_serial("receipt", "JZ"),
        pledge=pledge,
        location=location,
        received_by=user,
        received_at=received_at or timezone.now(),
        note=note,
    )
    for line in wanted:
        pledge_line = pledge_lines.get(getattr(line["pledge_line"], "pk", line["pledge_line"]))
        if pledge_line is None:
            raise StockError(_("That line is not part of this pledge."), code="line")
        accepted, rejected = int(line.get("accepted") or 0), int(line.get("rejected") or 0)
        reason = (line.get("reason") or "").strip()
        if accepted < 0 or rejected < 0:
            raise StockError(_("Quantities cannot be negative."), code="quantity")
        if rejected and not reason:
            raise StockError(
                _("%(item)s: give the reason for rejecting goods.")
                % {"item": pledge_line.item.name},
                code="reason",
            )
        if done.get(pledge_line.pk, 0) + accepted + rejected > pledge_line.quantity:
            raise StockError(
                _("%(item)s: %(n)s received in all would be more than the %(pledged)s pledged.")
                % {
                    "item": pledge_line.item.name,
                    "n": done.get(pledge_line.pk, 0) + accepted + rejected,
                    "pledged": pledge_line.quantity,
                },
                code="too_many",
            )
        done[pledge_line.pk] = done.get(pledge_line.pk, 0) + accepted + rejected
        expires = line.get("expiry") or pledge_line.expiry
        if accepted and expires and expires < expiry_today():
            # Expired goods never enter usable stock (issue 15.1): they are rejected instead.
            raise StockError(
                _("%(item)s: these goods expired on %(date)s; reject them with the reason.")
                % {"item": pledge_line.item.name, "date": f"{expires:%Y-%m-%d}"},
                code="expired",
            )
        lot = None
        if accepted:
            lot = Lot.objects.create(
                item=pledge_line.item,
                donor=donor,
                pledge_line=pledge_line,
                lot_number=(line.get("lot_number") or pledge_line.lot_number),
                expiry=line.get("expiry") or pledge_line.expiry,
            )
            record(
                Kind.RECEIVE,
                lot,
                accepted,
                user=user,
                to_location=location,
                community=location.community,
                receipt=receipt,
                at=receipt.received_at,
                reason=_("Donation from %(donor)s") % {"donor": donor.name},
            )
        ReceivingLine.objects.create(
            receipt=receipt,
            pledge_line=pledge_line,
            accepted=accepted,
            rejected=rejected,
            rejection_reason=reason,
            lot=lot,
        )
    complete = all(done.get(pk, 0) >= line.quantity for pk, line in pledge_lines.items())
    # A need whose last units arrived now is met in this same transaction (issue 15.3).
    needs_service.mark_met(
        line.need_id
        for line in pledge_lines.values()
        if line.need_id
        and any(getattr(w["pledge_line"], "pk", w["pledge_line"]) == line.pk for w in wanted)
    )
    Pledge.objects.filter(pk=pledge.pk).update(
        status=Pledge.Status.RECEIVED if complete else Pledge.Status.PARTIAL
    )
    for rep in donor.representatives.select_related("user"):
        notify.notify(
            rep.user,
            "donations/notify/received",
            {"donor": donor.name, "serial": receipt.serial, "pledge": pledge.pk},
        )
    return receipt


def _lock_for_ending(pledge, reason):
    if not (reason or "").strip():
        raise StockError(_("Give a reason."), code="reason")
    # The same lock as receive(): a delivery and a cancellation of one pledge never overlap.
    return Pledge.objects.select_for_update(of=("self",)).get(pk=pledge.pk)


def _end(pledge, status, user, reason):
    Pledge.objects.filter(pk=pledge.pk).update(
        status=status, ended_by=user, ended_at=timezone.now(), end_reason=reason.strip()[:200]
    )
    if pledge.lines.filter(need__isnull=False).exists():
        needs_service.changed()  # what the needs page says was pledged
    pledge.refresh_from_db()
    # the firm's people hear of it, except the one who did it
    for rep in pledge.donor.representatives.select_related("user").exclude(user=user):
        notify.notify(
            rep.user,
            "donations/notify/ended",
            {
                "donor": pledge.donor.name,
                "pledge": pledge.pk,
                "closed": status == Pledge.Status.CLOSED,
                "reason": pledge.end_reason,
            },
        )
    return pledge


@transaction.atomic
def cancel_pledge(pledge, *, user, reason):
    """Cancel a pledge of which nothing has been received. Cancelling twice changes nothing;
    once goods have arrived the pledge can only be closed (close_pledge)."""
    pledge = _lock_for_ending(pledge, reason)
    if pledge.status == Pledge.Status.CANCELLED:
        return pledge
    if pledge.status == Pledge.Status.CLOSED:
        raise StockError(_("This pledge was already closed."), code="closed")
    if pledge.receipts.exists():
        raise StockError(
            _(
                "Goods of this pledge have already been received, so it cannot be cancelled. "
                "Staff can close the remainder instead."
            ),
            code="received",
        )
    return _end(pledge, Pledge.Status.CANCELLED, user, reason)


@transaction.atomic
def close_pledge(pledge, *, user, reason):
    """A partly received pledge: the rest is no longer expected. What arrived stays; the
    pledge takes no more deliveries. Closing twice changes nothing."""
    pledge = _lock_for_ending(pledge, reason)
    if pledge.status == Pledge.Status.CLOSED:
        return pledge
    if pledge.status == Pledge.Status.CANCELLED:
        raise StockError(_("This pledge was cancelled."), code="cancelled")
    if pledge.status == Pledge.Status.RECEIVED:
        raise StockError(
            _("This pledge has been received in full; nothing is left to close."), code="complete"
        )
    if not pledge.receipts.exists():
        raise StockError(
            _("Nothing of this pledge has been received yet; cancel it instead."),
            code="nothing_received",
        )
    return _end(pledge, Pledge.Status.CLOSED, user, reason)

"""The stock ledger: every change of stock is one Movement plus a conditional atomic update of
Balance. Balance rows are never read, added to and saved; a failed condition is a StockError.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Balance, Location, Movement, SerialCounter
from portal import audit
from portal.bounds import MAX_QUANTITY

from . import closing, flows
from .errors import StockError
from .expiry import refuse_unusable
from .safety_stock import after_movement

Kind = Movement.Kind
# Kinds that change only what is reserved at `from_location`, never what is on hand.
RESERVING_KINDS = (Kind.ALLOCATE, Kind.RELEASE)
# Sign of each kind's effect on the reserved units at `from_location`.
RESERVED_SIGN = {Kind.ALLOCATE: 1, Kind.RELEASE: -1, Kind.DISPATCH: -1}


def next_serial(series, prefix):
    """The next number of a document series, e.g. JZ2026000042. Must run inside the caller's
    transaction: the counter row stays locked by the UPDATE until commit, so concurrent callers
    queue and never get the same number (and the serial columns are unique as well)."""
    SerialCounter.objects.get_or_create(name=series)
    SerialCounter.objects.filter(name=series).update(value=F("value") + 1)
    value = SerialCounter.objects.values_list("value", flat=True).get(name=series)
    return f"{prefix}{timezone.localdate():%Y}{value:06d}"


def transit_location():
    location, _created = Location.objects.get_or_create(
        name="在途物资", defaults={"kind": Location.Kind.TRANSIT}
    )
    return location


def community_store(community):
    location = Location.objects.filter(kind=Location.Kind.COMMUNITY, community=community).first()
    if location is None:
        location, _created = Location.objects.get_or_create(
            name=f"{community.name}物资点",
            defaults={"kind": Location.Kind.COMMUNITY, "community": community},
        )
    return location


def _add(lot, location, quantity):
    balance, _created = Balance.objects.get_or_create(
        lot=lot, location=location, defaults={"item_id": lot.item_id}
    )
    Balance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + quantity)


def _short(lot, location):
    return StockError(
        _("Not enough %(item)s of lot %(lot)s at %(location)s.")
        % {"item": lot.item.name, "lot": lot.lot_number or lot.pk, "location": location.name},
        code="insufficient_stock",
    )


def _take(lot, location, quantity):
    """Remove units that are on hand and not reserved."""
    taken = Balance.objects.filter(
        lot=lot, location=location, quantity__gte=F("reserved") + quantity
    ).update(quantity=F("quantity") - quantity)
    if taken != 1:
        raise _short(lot, location)


def _reserve(lot, location, quantity):
    done = Balance.objects.filter(
        lot=lot, location=location, quantity__gte=F("reserved") + quantity
    ).update(reserved=F("reserved") + quantity)
    if done != 1:
        raise _short(lot, location)


def _unreserve(lot, location, quantity):
    """Give reserved units back to free stock (an allocation released before dispatch)."""
    done = Balance.objects.filter(lot=lot, location=location, reserved__gte=quantity).update(
        reserved=F("reserved") - quantity
    )
    if done != 1:
        raise _short(lot, location)


def _release_and_take(lot, location, quantity):
    done = Balance.objects.filter(
        lot=lot, location=location, reserved__gte=quantity, quantity__gte=quantity
    ).update(quantity=F("quantity") - quantity, reserved=F("reserved") - quantity)
    if done != 1:
        raise _short(lot, location)


def record(
    kind,
    lot,
    quantity,
    *,
    user=None,
    from_location=None,
    to_location=None,
    community=None,
    reason="",
    at=None,
    **documents,
):
    """Write one movement and apply it to the balances. Call inside transaction.atomic."""
    if quantity <= 0:
        raise StockError(_("The quantity must be a positive whole number."), code="quantity")
    if quantity > MAX_QUANTITY:
        raise StockError(
            _("The quantity must be at most %(max)s.") % {"max": f"{MAX_QUANTITY:,}"},
            code="quantity",
        )
    # Expired or recalled goods never go out, whoever asks (issue 15: services/expiry.py).
    refuse_unusable(lot, kind)
    if kind == Kind.ALLOCATE:
        _reserve(lot, from_location, quantity)
    elif kind == Kind.RELEASE:
        _unreserve(lot, from_location, quantity)
    elif kind == Kind.DISPATCH:
        _release_and_take(lot, from_location, quantity)
    elif from_location is not None:
        _take(lot, from_location, quantity)
    if to_location is not None and kind not in RESERVING_KINDS:
        _add(lot, to_location, quantity)
    movement = Movement.objects.create(
        kind=kind,
        item_id=lot.item_id,
        lot=lot,
        quantity=quantity,
        from_location=from_location,
        to_location=to_location,
        community=community,
        reason=reason,
        created_by=user,
        created_at=at or timezone.now(),
        **documents,
    )
    # The weekly totals the board and the charts read, in the same transaction.
    flows.count(movement, from_location, to_location)
    if kind not in RESERVING_KINDS:
        after_movement(lot, from_location, to_location)
        closing.after_movement(lot, kind)
    return movement


@transaction.atomic
def adjust(lot, location, delta, *, reason, user):
    """A stock-take correction: +delta units found, or -delta units missing."""
    if not reason:
        raise StockError(_("Say why the stock is adjusted."), code="reason")
    where = {"to_location": location} if delta > 0 else {"from_location": location}
    movement = record(
        Kind.ADJUST,
        lot,
        abs(delta),
        reason=reason,
        user=user,
        community=location.community,
        **where,
    )
    _audit("donations.stock.adjust", movement, delta=delta)
    return movement


def _audit(action, movement, **details):
    audit.record(
        action,
        user=movement.created_by,
        obj=movement,
        lot=movement.lot_id,
        quantity=movement.quantity,
        from_location=movement.from_location_id,
        to_location=movement.to_location_id,
        reason=movement.reason,
        **details,
    )


@transaction.atomic
def discard(lot, location, quantity, *, reason, user):
    """Units broken, spoiled or expired leave the books."""
    if not reason:
        raise StockError(_("Say why the goods are discarded."), code="reason")
    movement = record(
        Kind.DISCARD,
        lot,
        quantity,
        from_location=location,
        reason=reason,
        user=user,
        community=location.community,
    )
    _audit("donations.stock.discard", movement)
    return movement


@transaction.atomic
def transfer(lot, from_location, to_location, quantity, *, user, reason=""):
    """Move free units of a lot between two stores (not reserved ones, not into transit:
    goods in transit travel only on a dispatch note)."""
    if from_location == to_location:
        raise StockError(_("Choose two different locations."), code="same_location")
    if Location.Kind.TRANSIT in (from_location.kind, to_location.kind):
        raise StockError(_("Goods in transit move only on a dispatch note."), code="location")
    movement = record(
        Kind.TRANSFER,
        lot,
        quantity,
        from_location=from_location,
        to_location=to_location,
        reason=reason,
        user=user,
        community=to_location.community or from_location.community,
    )
    # Both ends' communities see a transfer between two community stores.
    ends = [from_location.community_id, to_location.community_id]
    audit.record(
        "donations.stock.transfer",
        user=user,
        obj=movement,
        communities=[c for c in ends if c],
        lot=lot.pk,
        quantity=quantity,
        from_location=from_location.pk,
        to_location=to_location.pk,
        reason=reason,
    )
    return movement


def ledger_totals():
    """{(lot_id, location_id): [quantity, reserved]} computed from the movements alone."""
    totals = defaultdict(lambda: [0, 0])
    moves = Movement.objects.order_by()
    on_hand = moves.exclude(kind__in=RESERVING_KINDS)
    for row in (
        on_hand.exclude(to_location=None)
        .values("lot_id", "to_location_id")
        .annotate(n=Sum("quantity"))
    ):
        totals[(row["lot_id"], row["to_location_id"])][0] += row["n"]
    for row in (
        on_hand.exclude(from_location=None)
        .values("lot_id", "from_location_id")
        .annotate(n=Sum("quantity"))
    ):
        totals[(row["lot_id"], row["from_location_id"])][0] -= row["n"]
    for row in (
        moves.filter(kind__in=list(RESERVED_SIGN))
        .values("lot_id", "from_location_id", "kind")
        .annotate(n=Sum("quantity"))
    ):
        totals[(row["lot_id"], row["from_location_id"])][1] += RESERVED_SIGN[row["kind"]] * row["n"]
    return totals


def check_balances():
    """Compare every balance with the ledger; return the mismatches (empty when all agree)."""
    ledger = ledger_totals()
    mismatches = []
    seen = set()
    for balance in Balance.objects.order_by().values(
        "lot_id", "location_id", "quantity", "reserved"
    ):
        key = (balance["lot_id"], balance["location_id"])
        seen.add(key)
        expected = ledger.get(key, [0, 0])
        if [balance["quantity"], balance["reserved"]] != expected:
            mismatches.append(
                {
                    "lot": key[0],
                    "location": key[1],
                    "ledger": expected,
                    "balance": [balance["quantity"], balance["reserved"]],
                }
            )
    for key, expected in ledger.items():
        if key not in seen and expected != [0, 0]:
            mismatches.append(
                {"lot": key[0], "location": key[1], "ledger": expected, "balance": None}
            )
    return mismatches

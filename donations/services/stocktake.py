"""Stock-take (盘点, issue 15.4): count a store, and write the differences to the ledger.

The rules, as a careful warehouse keeps them:

- A count is started for one store (the warehouse or a community store, never goods in
  transit), by someone whose scope holds that store; at most one count per store runs at a time.
  Its lines are the lots on hand there, each with the book quantity at the start (`expected`,
  read under the balance rows' locks, so no movement is half-counted).
- **Reconcile, not freeze.** During an epidemic a store cannot stop handing out masks for a
  day, so stock keeps moving while the count is open. Each count carries its time; at approval
  the book is re-read and `book_at_count = book now − what moved at that store after the
  count`. The difference is `counted − book_at_count`, and it is applied to the book as it is
  now: a dispatch between the start and the count, or between the count and the approval, is
  never taken for a loss or a find. Nothing else is blocked, and the ledger stays right.
- The counter does not see the book quantity (a blind count); the approver does.
- Approval is by someone other than whoever started, counted or submitted the count (four
  eyes), with `donations.approve_stocktake` (the warehouse keeper, the subdistrict office).
  Every line whose count differs becomes one `adjust` movement with its reason (required), in
  one transaction with the conditional updates and constraints of `ledger.record`: a shortage
  that would take reserved units fails the whole approval with the lot named.
- Everything is audited: start, counts (one event per save), submit, reopen, approve, cancel.
  The approval is one event (how many adjustments, the net); each adjustment is a movement
  with who and why, linked from its line (`StockTakeLine.movement`), not an event of its own:
  500 audit events per count cost more than the count.
"""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Balance, Location, Movement, StockTake, StockTakeLine
from portal import audit
from portal.bounds import MAX_BALANCE
from portal.scoping import can_access

from .errors import StockError
from .ledger import RESERVING_KINDS, next_serial, record

Kind = Movement.Kind
Status = StockTake.Status
# The order of the lots on the count sheet, its spreadsheet and the entry page (as on the shelf).
SHEET_ORDER = ("lot__item__name", "lot__expiry", "lot__lot_number", "pk")


def _refuse_outside_scope(user, obj):
    if not can_access(user, obj):
        raise StockError(_("This store is not one of yours."), code="scope")


def _lock(stocktake, *statuses):
    """Re-read the count under a row lock and check its status."""
    # Only the count's own row: a FOR UPDATE on its location would block every movement at that
    # store (their foreign-key checks) while this waits for their balance rows: a deadlock.
    stocktake = (
        StockTake.objects.select_for_update(of=("self",))
        .select_related("location")
        .get(pk=stocktake.pk)
    )
    if stocktake.status not in statuses:
        raise StockError(
            _("This count is %(status)s; it cannot be changed that way.")
            % {"status": stocktake.get_status_display()},
            code="status",
        )
    return stocktake


@transaction.atomic
def start_stocktake(location, *, user):
    """Open a count of `location`: one line per lot on hand there, with its book quantity."""
    _refuse_outside_scope(user, location)
    if location.kind == Location.Kind.TRANSIT:
        raise StockError(
            _("Goods in transit are counted by the community that receives them."),
            code="location",
        )
    # The balance rows' locks wait for movements in flight, so the snapshot is consistent.
    balances = list(
        Balance.objects.select_for_update()
        .filter(location=location, quantity__gt=0)
        .order_by("pk")
        .values_list("lot_id", "quantity")
    )
    if not balances:
        raise StockError(_("Nothing is on hand at %(location)s.") % {"location": location.name})
    now = timezone.now()
    try:
        with transaction.atomic():
            stocktake = StockTake.objects.create(
                serial=next_serial("stocktake", "PD"),
                location=location,
                started_by=user,
                started_at=now,
            )
    except IntegrityError:
        raise StockError(
            _("A count of %(location)s is already running; finish or cancel it first.")
            % {"location": location.name},
            code="running",
        ) from None
    StockTakeLine.objects.bulk_create(
        StockTakeLine(stocktake=stocktake, lot_id=lot_id, expected=quantity)
        for lot_id, quantity in balances
    )
    audit.record(
        "donations.stocktake.start",
        user=user,
        obj=stocktake,
        communities=[location.community_id] if location.community_id else None,
        location=location.pk,
        lots=len(balances),
    )
    return stocktake


@transaction.atomic
def record_counts(stocktake, counts, *, user, at=None):
    """Enter counts: {line pk: units on the shelf}. A count can be corrected while the count is
    open (it then takes the new time). Returns how many lines were saved."""
    _refuse_outside_scope(user, stocktake)
    stocktake = _lock(stocktake, Status.OPEN)
    at = at or timezone.now()
    lines = {
        line.pk: line
        for line in stocktake.lines.filter(pk__in=list(counts)).select_related("lot__item")
    }
    changed = []
    for pk, value in counts.items():
        line = lines.get(pk)
        if line is None:
            raise StockError(_("That lot is not on this count sheet."), code="line")
        if value is None or value < 0 or value > MAX_BALANCE:
            raise StockError(
                _("Enter a whole number of units, 0 or more, for %(lot)s.") % {"lot": line.lot},
                code="quantity",
            )
        if line.counted == value:
            continue
        line.counted, line.counted_by, line.counted_at = value, user, at
        changed.append(line)
    StockTakeLine.objects.bulk_update(changed, ["counted", "counted_by", "counted_at"])
    if changed:
        audit.record(
            "donations.stocktake.count",
            user=user,
            obj=stocktake,
            communities=_communities(stocktake),
            counts={str(line.lot_id): line.counted for line in changed},
        )
    return len(changed)


def _communities(stocktake):
    community = stocktake.location.community_id
    return [community] if community else None


@transaction.atomic
def submit_stocktake(stocktake, *, user):
    """Every lot counted: hand the count over for approval."""
    _refuse_outside_scope(user, stocktake)
    stocktake = _lock(stocktake, Status.OPEN)
    missing = stocktake.lines.filter(counted__isnull=True).count()
    if missing:
        raise StockError(
            _("%(n)s lots have not been counted yet; count them (0 if none is there).")
            % {"n": missing},
            code="uncounted",
        )
    stocktake.status, stocktake.submitted_by, stocktake.submitted_at = (
        Status.SUBMITTED,
        user,
        timezone.now(),
    )
    stocktake.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit.record(
        "donations.stocktake.submit", user=user, obj=stocktake, communities=_communities(stocktake)
    )
    return stocktake


@transaction.atomic
def reopen_stocktake(stocktake, *, user, reason):
    """Send a submitted count back for a recount (the approver doubts it)."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Say what should be counted again."), code="reason")
    _refuse_outside_scope(user, stocktake)
    stocktake = _lock(stocktake, Status.SUBMITTED)
    stocktake.status, stocktake.submitted_by, stocktake.submitted_at = Status.OPEN, None, None
    stocktake.save(update_fields=["status", "submitted_by", "submitted_at"])
    audit.record(
        "donations.stocktake.reopen",
        user=user,
        obj=stocktake,
        communities=_communities(stocktake),
        reason=reason,
    )
    return stocktake


@transaction.atomic
def cancel_stocktake(stocktake, *, user, reason):
    """Give up a count that is still running; nothing is written to the ledger."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Say why the count is cancelled."), code="reason")
    _refuse_outside_scope(user, stocktake)
    stocktake = _lock(stocktake, Status.OPEN, Status.SUBMITTED)
    stocktake.status = Status.CANCELLED
    stocktake.cancelled_by, stocktake.cancelled_at = user, timezone.now()
    stocktake.cancel_reason = reason[:200]
    stocktake.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    audit.record(
        "donations.stocktake.cancel",
        user=user,
        obj=stocktake,
        communities=_communities(stocktake),
        reason=reason,
    )
    return stocktake


def counters(stocktake):
    """The people who started, counted or submitted the count: none of them may approve it."""
    ids = {stocktake.started_by_id, stocktake.submitted_by_id}
    ids |= set(
        stocktake.lines.exclude(counted_by=None).values_list("counted_by_id", flat=True).distinct()
    )
    return ids - {None}


def moved_after(stocktake, lines):
    """{lot id: net units on hand that arrived at the store (+) or left it (−) after each
    line's count}, from the ledger, in one query."""
    location_id = stocktake.location_id
    if not lines:
        return {}
    earliest = min(line.counted_at for line in lines)
    moves = (
        Movement.objects.filter(
            Q(from_location_id=location_id) | Q(to_location_id=location_id),
            lot_id__in=stocktake.lines.values("lot_id"),
            created_at__gt=earliest,
        )
        .exclude(kind__in=RESERVING_KINDS)
        .values_list("lot_id", "created_at", "quantity", "from_location_id", "to_location_id")
        .order_by()
    )
    counted_at = {line.lot_id: line.counted_at for line in lines}
    net = {}
    for lot_id, created_at, quantity, source, target in moves:
        if created_at <= counted_at[lot_id]:
            continue
        sign = (target == location_id) - (source == location_id)
        if sign:
            net[lot_id] = net.get(lot_id, 0) + sign * quantity
    return net


def reconcile(stocktake):
    """Each line with its book quantity now, at its count, and its difference, without
    writing anything (the approval page shows it; `approve_stocktake` applies it)."""
    lines = list(stocktake.lines.select_related("lot__item", "lot__donor").order_by(*SHEET_ORDER))
    counted = [line for line in lines if line.counted is not None]
    book_now = dict(
        Balance.objects.filter(
            location_id=stocktake.location_id, lot_id__in=[line.lot_id for line in lines]
        ).values_list("lot_id", "quantity")
    )
    after = moved_after(stocktake, counted)
    for line in lines:
        line.book_now = book_now.get(line.lot_id, 0)
        line.moved_during = line.book_now - line.expected
        if line.counted is None:
            line.book_at_count = line.difference = None
            continue
        line.book_at_count = line.book_now - after.get(line.lot_id, 0)
        line.difference = line.counted - line.book_at_count
    return lines


@transaction.atomic
def approve_stocktake(stocktake, *, user, reasons=None, default_reason=""):
    """Approve a submitted count: each differing lot becomes one `adjust` movement at the
    store, with its reason (`reasons` {line pk: text}, else `default_reason`). Refused to anyone
    who started, counted or submitted it."""
    _refuse_outside_scope(user, stocktake)
    if not user.has_perm("donations.approve_stocktake"):
        raise StockError(_("You may not approve stock-takes."), code="permission")
    stocktake = _lock(stocktake, Status.SUBMITTED)
    if user.pk in counters(stocktake):
        raise StockError(
            _("Someone other than the people who counted must approve the count."),
            code="four_eyes",
        )
    location = stocktake.location
    # Lock the balances (in primary-key order) so no movement slips in between the re-read
    # and the adjustments.
    list(
        Balance.objects.select_for_update()
        .filter(location=location, lot_id__in=stocktake.lines.values("lot_id"))
        .order_by("pk")
        .values_list("pk")
    )
    lines = reconcile(stocktake)
    reasons = reasons or {}
    missing = [
        line for line in lines if line.difference and not (reasons.get(line.pk) or default_reason)
    ]
    if missing:
        raise StockError(
            _("Give a reason for every difference (%(lots)s).")
            % {"lots": ", ".join(str(line.lot) for line in missing[:5])},
            code="reason",
        )
    now = timezone.now()
    for line in lines:
        line.reason = ((reasons.get(line.pk) or default_reason).strip() if line.difference else "")[
            :150
        ]
        if line.difference:
            where = {"to_location": location} if line.difference > 0 else {}
            if line.difference < 0:
                where = {"from_location": location}
            line.movement = record(
                Kind.ADJUST,
                line.lot,
                abs(line.difference),
                user=user,
                community=location.community,
                reason=_("Stock-take %(serial)s: %(reason)s")
                % {"serial": stocktake.serial, "reason": line.reason},
                at=now,
                **where,
            )
    # Small batches: each UPDATE holds a CASE over all its rows, evaluated for each row.
    StockTakeLine.objects.bulk_update(
        lines, ["book_at_count", "difference", "reason", "movement"], batch_size=100
    )
    stocktake.status, stocktake.approved_by, stocktake.approved_at = Status.APPROVED, user, now
    stocktake.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        "donations.stocktake.approve",
        user=user,
        obj=stocktake,
        communities=_communities(stocktake),
        serial=stocktake.serial,
        adjustments=sum(1 for line in lines if line.difference),
        net=sum(line.difference or 0 for line in lines),
    )
    return stocktake


def progress(stocktake):
    """How many lots are on the sheet and how many are counted."""
    return stocktake.lines.aggregate(lines=Count("pk"), counted=Count("counted"))

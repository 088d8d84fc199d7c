"""Requests, allocation, dispatch, community receipt and distribution."""

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import (
    Allocation,
    Balance,
    CommunityReceipt,
    CommunityReceiptLine,
    Dispatch,
    Distribution,
    DistributionLine,
    Location,
    SupplyRequest,
    SupplyRequestLine,
)
from portal.bounds import MAX_QUANTITY

from . import expiry
from .errors import StockError
from .ledger import Kind, community_store, next_serial, record, transit_location


@transaction.atomic
def request_supplies(community, lines, *, purpose, urgency=SupplyRequest.Urgency.NORMAL, user=None):
    """A community asks for supplies: `lines` are (item, quantity) pairs."""
    lines = [(item, int(quantity)) for item, quantity in lines if quantity]
    if not lines:
        raise StockError(_("Ask for at least one item."), code="empty")
    if any(quantity <= 0 for _item, quantity in lines):
        raise StockError(_("The quantity must be a positive whole number."), code="quantity")
    if any(quantity > MAX_QUANTITY for _item, quantity in lines):
        raise StockError(
            _("The quantity must be at most %(max)s.") % {"max": f"{MAX_QUANTITY:,}"},
            code="quantity",
        )
    request = SupplyRequest.objects.create(
        community=community, purpose=purpose, urgency=urgency, requested_by=user
    )
    SupplyRequestLine.objects.bulk_create(
        [SupplyRequestLine(request=request, item=item, quantity=q) for item, q in lines]
    )
    return request


def request_line_progress(lines):
    """Annotate request lines with allocated, dispatched, received and open quantities."""
    ids = [line.pk for line in lines]
    rows = {
        row["request_line"]: row
        for row in Allocation.objects.filter(request_line__in=ids, released_at__isnull=True)
        .values("request_line")
        .annotate(
            allocated=Sum("quantity"),
            dispatched=Sum("quantity", filter=Q(dispatch__isnull=False)),
            received=Sum("community_receipt_line__received"),
        )
        .order_by()
    }
    for line in lines:
        row = rows.get(line.pk, {})
        line.allocated = row.get("allocated") or 0
        line.dispatched = row.get("dispatched") or 0
        line.received = row.get("received") or 0
        line.open = max(line.quantity - line.allocated, 0)
    return lines


def open_request_lines(lines):
    """The lines of `lines` (a SupplyRequestLine queryset, already scoped) with some quantity
    not yet allocated, oldest request first, each annotated with `allocated` (released
    allocations do not count) - what the warehouse still has to allocate against."""
    allocated = (
        Allocation.objects.filter(request_line=OuterRef("pk"), released_at__isnull=True)
        .values("request_line")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    return (
        lines.annotate(allocated=Coalesce(Subquery(allocated), 0))
        .filter(allocated__lt=F("quantity"))
        .select_related("request__community", "item")
        .order_by("request__created_at", "request__pk", "pk")
    )


@transaction.atomic
def allocate(request_line, quantity=None, *, user, lots=None, location=None, at=None):
    """Set stock aside for a request line.

    By default the earliest expiry is taken first from the warehouse stock, as much as is
    there up to `quantity` (default: all that is still open), so a partial allocation is
    normal. `lots` ([(lot, quantity), ...]) overrides the choice lot by lot and must be
    available in full. Returns the allocations made.
    """
    line = (
        SupplyRequestLine.objects.select_for_update(of=("self",))
        .select_related("request__community", "item")
        .get(pk=request_line.pk)
    )
    allocated = (
        line.allocations.filter(released_at__isnull=True).aggregate(n=Sum("quantity"))["n"] or 0
    )
    open_quantity = line.quantity - allocated
    if open_quantity <= 0:
        raise StockError(_("This request line is already fully allocated."), code="full")
    community = line.request.community
    made = []
    if lots:
        total = sum(q for _lot, q in lots)
        if total > open_quantity:
            raise StockError(
                _("Only %(n)s are still open on this line.") % {"n": open_quantity}, code="too_many"
            )
        for lot, q in lots:
            if lot.item_id != line.item_id:
                raise StockError(
                    _("Lot %(lot)s is not %(item)s.") % {"lot": lot, "item": line.item.name},
                    code="item",
                )
            where = location or _warehouse_holding(lot, q)
            made.append(_allocate_one(line, lot, where, q, user, community, at))
        return made
    wanted = min(quantity or open_quantity, open_quantity)
    if quantity and quantity > open_quantity:
        raise StockError(
            _("Only %(n)s are still open on this line.") % {"n": open_quantity}, code="too_many"
        )
    candidates = (
        Balance.objects.filter(expiry.usable(), item=line.item, quantity__gt=F("reserved"))
        .select_related("lot__item", "location")
        .order_by(F("lot__expiry").asc(nulls_last=True), "lot_id", "location_id")
    )
    candidates = (
        candidates.filter(location=location)
        if location
        else candidates.filter(location__kind=Location.Kind.WAREHOUSE)
    )
    for balance in candidates:
        if wanted <= 0:
            break
        # The row may have changed since it was read; retry with the fresh figure on a miss.
        for _attempt in range(5):
            available = Balance.objects.values_list(F("quantity") - F("reserved"), flat=True).get(
                pk=balance.pk
            )
            take = min(wanted, available)
            if take <= 0:
                break
            try:
                with transaction.atomic():
                    made.append(
                        _allocate_one(
                            line, balance.lot, balance.location, take, user, community, at
                        )
                    )
            except StockError:
                continue
            wanted -= take
            break
    if not made:
        _refuse_if_only_expired(
            line.item,
            Balance.objects.filter(item=line.item).filter(
                Q(location=location) if location else Q(location__kind=Location.Kind.WAREHOUSE)
            ),
        )
        raise StockError(
            _("There is no %(item)s in stock to allocate.") % {"item": line.item.name},
            code="no_stock",
        )
    return made


def _refuse_if_only_expired(item, balances):
    """Say so when what is there has expired, rather than that nothing is there."""
    if balances.filter(expiry.expired(), quantity__gt=F("reserved")).exists():
        raise StockError(
            _(
                "Not enough %(item)s that has not expired: expired goods are never allocated "
                "or handed out. Dispose of them from the expired stock list."
            )
            % {"item": item.name},
            code="expired",
        )


def _warehouse_holding(lot, quantity):
    balance = (
        Balance.objects.filter(
            lot=lot, location__kind=Location.Kind.WAREHOUSE, quantity__gte=F("reserved") + quantity
        )
        .select_related("location")
        .first()
    )
    if balance is None:
        raise StockError(
            _("Not enough of lot %(lot)s in the warehouse.") % {"lot": lot},
            code="insufficient_stock",
        )
    return balance.location


def _allocate_one(line, lot, location, quantity, user, community, at=None):
    allocation = Allocation.objects.create(
        request_line=line, lot=lot, location=location, quantity=quantity, created_by=user
    )
    record(
        Kind.ALLOCATE,
        lot,
        quantity,
        from_location=location,
        user=user,
        community=community,
        allocation=allocation,
        reason=str(line.request.purpose),
        at=at,
    )
    return allocation


@transaction.atomic
def dispatch(allocations, *, user, dispatched_at=None):
    """Put allocations for one community on a dispatch note; the goods go in transit."""
    ids = sorted(a.pk for a in allocations)
    if not ids:
        raise StockError(_("Choose the allocations to dispatch."), code="empty")
    locked = list(Allocation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    rows = list(
        Allocation.objects.filter(pk__in=ids)
        .select_related("lot__item", "location", "request_line__request__community")
        .order_by("pk")
    )
    if len(locked) != len(ids) or any(a.dispatch_id for a in locked):
        raise StockError(
            _("Some of these allocations have already been dispatched."), code="dispatched"
        )
    if any(a.released_at for a in locked):
        raise StockError(_("Some of these allocations have been released."), code="released")
    communities = {a.request_line.request.community_id for a in rows}
    sources = {a.location_id for a in rows}
    if len(communities) != 1 or len(sources) != 1:
        raise StockError(
            _("A dispatch note goes from one location to one community."), code="mixed"
        )
    community = rows[0].request_line.request.community
    note = Dispatch.objects.create(
        serial=next_serial("dispatch", "FH"),
        community=community,
        from_location=rows[0].location,
        to_location=community_store(community),
        dispatched_by=user,
        dispatched_at=dispatched_at or timezone.now(),
    )
    undispatched = Allocation.objects.filter(
        pk__in=ids, dispatch__isnull=True, released_at__isnull=True
    )
    if undispatched.update(dispatch=note) != len(ids):
        raise StockError(
            _("Some of these allocations have already been dispatched."), code="dispatched"
        )
    transit = transit_location()
    for allocation in rows:
        record(
            Kind.DISPATCH,
            allocation.lot,
            allocation.quantity,
            from_location=allocation.location,
            to_location=transit,
            community=community,
            user=user,
            dispatch=note,
            at=note.dispatched_at,
            reason=note.serial,
        )
    return note


@transaction.atomic
def release_allocation(allocation, *, user, reason):
    """Give an allocation that has not left back to free stock: a `release` movement lowers
    the reserved units and the request line's allocated figure goes down with it. Releasing
    twice changes nothing; a dispatched allocation is refused."""
    if not (reason or "").strip():
        raise StockError(_("Say why the allocation is released."), code="reason")
    # The same row lock as dispatch(): a release and a dispatch of it never overlap.
    allocation = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("lot__item", "location", "request_line__request__community")
        .get(pk=allocation.pk)
    )
    if allocation.dispatch_id:
        raise StockError(
            _("This allocation has already been dispatched; it cannot be released."),
            code="dispatched",
        )
    if allocation.released_at:
        return allocation
    now = timezone.now()
    Allocation.objects.filter(pk=allocation.pk).update(
        released_at=now, released_by=user, release_reason=reason.strip()[:200]
    )
    record(
        Kind.RELEASE,
        allocation.lot,
        allocation.quantity,
        from_location=allocation.location,
        community=allocation.request_line.request.community,
        user=user,
        reason=reason.strip(),
        allocation=allocation,
        at=now,
    )
    allocation.refresh_from_db()
    return allocation


@transaction.atomic
def confirm_receipt(note, received, *, user, note_text="", received_at=None):
    """The community confirms a dispatch note. `received` maps allocation id to
    (units received, reason for the rest); lines left out arrived in full. Whatever did not
    arrive leaves the books as a `discard` movement with its reason."""
    note = Dispatch.objects.select_for_update().get(pk=note.pk)
    if note.status != Dispatch.Status.DISPATCHED:
        raise StockError(_("This dispatch note has already been confirmed."), code="confirmed")
    receipt = CommunityReceipt.objects.create(
        dispatch=note, received_by=user, note=note_text, received_at=received_at or timezone.now()
    )
    transit = transit_location()
    for allocation in note.allocations.select_related("lot__item").order_by("pk"):
        got, reason = received.get(allocation.pk, (allocation.quantity, ""))
        got = int(got)
        if got < 0 or got > allocation.quantity:
            raise StockError(
                _("%(item)s: between 0 and %(n)s can have arrived.")
                % {"item": allocation.lot.item.name, "n": allocation.quantity},
                code="quantity",
            )
        missing = allocation.quantity - got
        if missing and not (reason or "").strip():
            raise StockError(
                _("%(item)s: say why %(n)s did not arrive.")
                % {"item": allocation.lot.item.name, "n": missing},
                code="reason",
            )
        CommunityReceiptLine.objects.create(
            receipt=receipt,
            allocation=allocation,
            received=got,
            missing=missing,
            reason=reason or "",
        )
        if got:
            record(
                Kind.RECEIVE_AT_COMMUNITY,
                allocation.lot,
                got,
                from_location=transit,
                to_location=note.to_location,
                community=note.community,
                user=user,
                community_receipt=receipt,
                reason=note.serial,
                at=receipt.received_at,
            )
        if missing:
            record(
                Kind.DISCARD,
                allocation.lot,
                missing,
                from_location=transit,
                community=note.community,
                user=user,
                community_receipt=receipt,
                reason=reason,
                at=receipt.received_at,
            )
    Dispatch.objects.filter(pk=note.pk).update(status=Dispatch.Status.RECEIVED)
    return receipt


@transaction.atomic
def distribute(
    community,
    location,
    lines,
    *,
    recipient,
    user,
    post=None,
    help_request=None,
    note="",
    distributed_at=None,
):
    """Record goods handed out from a store. `lines` are (item, quantity) — taken from the
    lots there, earliest expiry first — or (lot, quantity). A household is named only by its
    help request (`help_request`), never by an address."""
    from donations.models import Lot

    if location.kind == Location.Kind.TRANSIT or (
        location.kind == Location.Kind.COMMUNITY and location.community_id != community.pk
    ):
        raise StockError(
            _("Goods are handed out from this community's store or the warehouse."), code="location"
        )
    if recipient == Distribution.Recipient.POST and (
        post is None or post.compound.community_id != community.pk
    ):
        raise StockError(_("Choose a post of this community."), code="post")
    if recipient == Distribution.Recipient.HOUSEHOLD and (
        help_request is None
        or help_request.community_id != community.pk
        or help_request.status == help_request.Status.CLOSED
        or help_request.anonymised_at is not None
    ):
        raise StockError(
            _("For a household, choose an open help request of this community."),
            code="household",
        )
    if recipient != Distribution.Recipient.HOUSEHOLD:
        help_request = None
    lines = [(what, int(q)) for what, q in lines if q]
    if not lines:
        raise StockError(_("Enter what was handed out."), code="empty")
    distribution = Distribution.objects.create(
        community=community,
        location=location,
        recipient=recipient,
        post=post,
        help_request=help_request,
        note=note.strip(),
        distributed_by=user,
        distributed_at=distributed_at or timezone.now(),
    )
    for what, quantity in lines:
        if quantity <= 0:
            raise StockError(_("The quantity must be a positive whole number."), code="quantity")
        if isinstance(what, Lot):
            parts = [(what, quantity)]
        else:
            parts = _pick_lots(what, location, quantity)
        for lot, q in parts:
            DistributionLine.objects.create(distribution=distribution, lot=lot, quantity=q)
            record(
                Kind.DISTRIBUTE,
                lot,
                q,
                from_location=location,
                community=community,
                user=user,
                distribution=distribution,
                # The label is a post's name or "a household": no address reaches the ledger.
                reason=str(distribution.recipient_label)
                if help_request is None
                else distribution.get_recipient_display(),
                at=distribution.distributed_at,
            )
    return distribution


def _pick_lots(item, location, quantity):
    """Earliest usable expiry first from what is free at `location` (expired lots never go
    out); StockError if not enough."""
    parts, left = [], quantity
    balances = (
        Balance.objects.filter(
            expiry.usable(), item=item, location=location, quantity__gt=F("reserved")
        )
        .select_related("lot__item")
        .order_by(F("lot__expiry").asc(nulls_last=True), "lot_id")
    )
    for balance in balances:
        take = min(left, balance.quantity - balance.reserved)
        parts.append((balance.lot, take))
        left -= take
        if left == 0:
            return parts
    _refuse_if_only_expired(item, Balance.objects.filter(item=item, location=location))
    raise StockError(
        _("Only %(n)s %(item)s are free at %(location)s.")
        % {"n": quantity - left, "item": item.name, "location": location.name},
        code="insufficient_stock",
    )

"""Goods going back (issue 15.6): returns to the donor and recalls of a lot.

A return to the donor takes units off the books at a store with a `return_to_donor` movement
and a document (DonorReturn, 退货单, donations.documents.donor_return_pdf). A recall marks the
lot so it never goes out again (expiry.refuse_unusable reads `recall_of`), traces it forward to
every community, post and number of households that got it, tells those communities' staff,
and records what comes back with a `recall_return` movement into a store.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Balance, DonorReturn, Location, Lot, Movement, Recall, RecallReturn
from portal import audit, roles
from portal.notify import notify

from .errors import StockError
from .ledger import next_serial, record
from .trace import handed_out_counts

Kind = Movement.Kind


def recall_of(lot):
    """The recall of `lot` that stands (not lifted), or None. While it stands the lot never
    goes out."""
    return Recall.objects.filter(lot_id=lot.pk, lifted_at__isnull=True).first()


def _store(location):
    if location.kind == Location.Kind.TRANSIT:
        raise StockError(
            _("Choose the warehouse or a community store, not goods in transit."),
            code="location",
        )


@transaction.atomic
def return_to_donor(lot, location, quantity, *, user, reason):
    """Give free units of `lot` at `location` back to its donor: one movement, one document."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Say why the goods go back to the donor."), code="reason")
    _store(location)
    quantity = int(quantity)
    now = timezone.now()
    serial = next_serial("donor_return", "TH")
    movement = record(
        Kind.RETURN_TO_DONOR,
        lot,
        quantity,
        from_location=location,
        community=location.community,
        user=user,
        reason=f"{serial} {reason}"[:200],
        at=now,
    )
    document = DonorReturn.objects.create(
        serial=serial,
        lot=lot,
        location=location,
        quantity=quantity,
        reason=reason[:200],
        movement=movement,
        returned_by=user,
        returned_at=now,
    )
    audit.record(
        "donations.stock.return_to_donor",
        user=user,
        obj=movement,
        lot=lot.pk,
        quantity=quantity,
        from_location=location.pk,
        reason=reason,
        serial=serial,
    )
    return document


def recall_trace(lot):
    """Where every unit of `lot` went, forward from the warehouse: per community, what
    arrived, what is on its way, what was handed out to each post, to volunteers and to how
    many households, and what came back under the recall; and what each store holds now.
    A fixed number of queries."""
    lot = Lot.objects.select_related("item", "donor").get(pk=lot.pk)
    moves = Movement.objects.filter(lot=lot).order_by()
    communities = {}

    def row(name):
        return communities.setdefault(
            name,
            {
                "community": name,
                "arrived": 0,
                "in_transit": 0,
                "handed_out": [],
                "households": 0,
                "came_back": 0,
            },
        )

    for entry in (
        moves.filter(kind__in=[Kind.DISPATCH, Kind.RECEIVE_AT_COMMUNITY, Kind.TRANSFER])
        .exclude(community__isnull=True)
        .values("community__name", "kind")
        .annotate(n=Sum("quantity"))
    ):
        target = row(entry["community__name"])
        if entry["kind"] == Kind.DISPATCH:
            target["in_transit"] += entry["n"]
        else:
            target["arrived"] += entry["n"]
    # What arrived (or was found missing on arrival) is no longer on its way.
    arrived_from_transit = {
        e["community__name"]: e["n"]
        for e in moves.filter(kind=Kind.RECEIVE_AT_COMMUNITY)
        .values("community__name")
        .annotate(n=Sum("quantity"))
    }
    lost_in_transit = {
        e["community__name"]: e["n"]
        for e in moves.filter(kind=Kind.DISCARD, community_receipt__isnull=False)
        .values("community__name")
        .annotate(n=Sum("quantity"))
    }
    for name, entry in communities.items():
        entry["in_transit"] = max(
            entry["in_transit"] - arrived_from_transit.get(name, 0) - lost_in_transit.get(name, 0),
            0,
        )
    for handed in handed_out_counts(moves):
        target = row(handed["community"])
        target["handed_out"].append(handed)
        target["households"] += handed["households"]
    for entry in (
        moves.filter(kind=Kind.RECALL_RETURN)
        .exclude(community__isnull=True)
        .values("community__name")
        .annotate(n=Sum("quantity"))
    ):
        row(entry["community__name"])["came_back"] += entry["n"]
    stock = list(
        Balance.objects.filter(lot=lot, quantity__gt=0)
        .exclude(location__kind=Location.Kind.TRANSIT)
        .select_related("location__community")
        .order_by("location__name")
    )
    return {
        "lot": lot,
        "recall": recall_of(lot),
        "lifted": list(
            Recall.objects.filter(lot=lot, lifted_at__isnull=False)
            .select_related("lifted_by")
            .order_by("-lifted_at")
        ),
        "communities": sorted(communities.values(), key=lambda r: r["community"]),
        "stock": stock,
        "handed_out": sum(h["quantity"] for r in communities.values() for h in r["handed_out"]),
        "households": sum(r["households"] for r in communities.values()),
        "came_back": sum(r["came_back"] for r in communities.values()),
    }


def communities_reached(lot):
    """Ids of the communities the lot was sent to, stored in, or handed out in."""
    ids = set(
        Movement.objects.filter(lot=lot, community__isnull=False)
        .exclude(kind__in=[Kind.ALLOCATE, Kind.RELEASE])
        .values_list("community_id", flat=True)
        .distinct()
    )
    ids |= set(
        Balance.objects.filter(lot=lot, quantity__gt=0, location__community__isnull=False)
        .values_list("location__community_id", flat=True)
        .distinct()
    )
    return ids


@transaction.atomic
def recall_lot(lot, *, user, reason):
    """Recall a lot: it never goes out again, and the staff of every community that got it are
    told (with what reached them). Recalling twice returns the standing recall and tells no
    one again; a lot whose recall was lifted can be recalled anew."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Say why the lot is recalled."), code="reason")
    existing = recall_of(lot)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            recall = Recall.objects.create(
                lot=lot, reason=reason[:200], recalled_by=user, recalled_at=timezone.now()
            )
    except IntegrityError:
        return recall_of(lot)
    # Not in portal.audit.ACTIONS yet (the lead adds the label at merge): shown by its name.
    audit.record("donations.lot.recall", user=user, obj=lot, reason=reason, lot=lot.pk)
    trace = recall_trace(lot)
    by_community = {r["community"]: r for r in trace["communities"]}
    staff = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=roles.COORDINATOR,
            memberships__community_id__in=communities_reached(lot),
        )
        .prefetch_related("memberships__community")
        .distinct()
        .order_by("pk")
    )
    label = f"{trace['lot'].item.name} {trace['lot'].lot_number or '#' + str(lot.pk)}"
    for person in staff:
        for membership in person.memberships.all():
            reached = by_community.get(membership.community.name)
            held = sum(
                b.quantity
                for b in trace["stock"]
                if b.location.community_id == membership.community_id
            )
            if reached is None and not held:
                continue
            notify(
                person,
                "donations/notify/recall",
                {
                    "lot": label,
                    "reason": recall.reason,
                    "community": membership.community.name,
                    "arrived": reached["arrived"] if reached else 0,
                    "handed_out": sum(h["quantity"] for h in reached["handed_out"])
                    if reached
                    else 0,
                    "households": reached["households"] if reached else 0,
                    "in_stock": held,
                },
            )
    return recall


@transaction.atomic
def record_recall_return(recall, location, quantity, *, user, note=""):
    """Units of a recalled lot brought back to a store (they stay there, never going out
    again, until they are disposed of or returned to the donor)."""
    _store(location)
    quantity = int(quantity)
    recall = Recall.objects.select_related("lot__item").get(pk=recall.pk)
    if recall.lifted_at is not None:
        raise StockError(
            _("This recall was lifted; nothing more is recorded under it."), code="lifted"
        )
    handed = (
        Movement.objects.filter(lot_id=recall.lot_id)
        .filter(Q(kind=Kind.DISTRIBUTE))
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    back = RecallReturn.objects.filter(recall=recall).aggregate(n=Sum("quantity"))["n"] or 0
    if quantity > handed - back:
        raise StockError(
            _("Only %(n)s of this lot were handed out and have not come back yet.")
            % {"n": max(handed - back, 0)},
            code="too_many",
        )
    now = timezone.now()
    movement = record(
        Kind.RECALL_RETURN,
        recall.lot,
        quantity,
        to_location=location,
        community=location.community,
        user=user,
        reason=(_("Recall: %(note)s") % {"note": note.strip()} if note.strip() else _("Recall"))[
            :200
        ],
        at=now,
    )
    return RecallReturn.objects.create(
        recall=recall,
        community=location.community,
        location=location,
        quantity=quantity,
        note=note.strip()[:200],
        movement=movement,
        recorded_by=user,
        recorded_at=now,
    )


@transaction.atomic
def lift_recall(recall, *, user, reason):
    """Lift a recall (a false alarm, the maker withdrew its warning): the lot is usable again
    unless it has expired (expiry.refuse_unusable still refuses that). The recall stays as a
    record with who lifted it, when and why; lifting twice writes nothing more."""
    reason = (reason or "").strip()
    if not reason:
        raise StockError(_("Say why the recall is lifted."), code="reason")
    now = timezone.now()
    # A conditional UPDATE: of two people lifting at once, exactly one writes.
    lifted = Recall.objects.filter(pk=recall.pk, lifted_at__isnull=True).update(
        lifted_at=now, lifted_by=user, lift_reason=reason[:200]
    )
    recall = Recall.objects.select_related("lot__item").get(pk=recall.pk)
    if lifted:
        audit.record(
            "donations.lot.recall_lift",
            user=user,
            obj=recall.lot,
            reason=reason,
            lot=recall.lot_id,
            recall=recall.pk,
        )
    return recall

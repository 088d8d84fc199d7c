"""Where goods came from and went: a lot's history, a donor's donations, the public board.
Each function runs a fixed number of queries, whatever the number of movements."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Q, Sum, prefetch_related_objects
from django.db.models.functions import TruncDate
from django.utils import timezone

from donations.models import (
    Balance,
    Distribution,
    Donor,
    Item,
    Location,
    Lot,
    Movement,
    Pledge,
    ReceivingLine,
    WeeklyFlow,
)

from . import flows

Kind = Movement.Kind
# The kinds a donor follows on their page, in the order goods travel.
PATH_KINDS = [
    Kind.RECEIVE,
    Kind.ALLOCATE,
    Kind.RELEASE,
    Kind.DISPATCH,
    Kind.RECEIVE_AT_COMMUNITY,
    Kind.DISTRIBUTE,
    Kind.DISCARD,
    Kind.ADJUST,
    Kind.TRANSFER,
    Kind.RETURN_TO_DONOR,
    Kind.RECALL_RETURN,
]


def trace_lot(lot):
    """The lot's origin, its movements in time order up to the communities, what the
    communities handed out and what is left.

    Hand-outs are counts only, never one by one: per community, to each post, to volunteers,
    and to "N households" (DESIGN: a donor sees where their goods went, never who got them)."""
    lot = Lot.objects.select_related(
        "item",
        "donor",
        "pledge_line__pledge",
        "pledge_line__need__item",
        "pledge_line__need__community",
    ).get(pk=lot.pk)
    movements = list(
        Movement.objects.filter(lot=lot)
        .exclude(kind=Kind.DISTRIBUTE)
        .select_related("from_location", "to_location", "community", "receipt")
        .order_by("created_at", "pk")
    )
    handed_out = handed_out_counts(Movement.objects.filter(lot=lot))
    balances = list(Balance.objects.filter(lot=lot, quantity__gt=0).select_related("location"))
    return {
        "lot": lot,
        "movements": movements,
        "handed_out": handed_out,
        "balances": balances,
        "received": sum(m.quantity for m in movements if m.kind == Kind.RECEIVE),
        "distributed": sum(row["quantity"] for row in handed_out),
        "in_stock": sum(b.quantity for b in balances),
    }


def handed_out_counts(movements):
    """What `movements` handed out, as [{community, recipient, post, households, quantity}]:
    one row per community and post, one for its volunteers and one for all its households
    (with how many households). One query."""
    rows = (
        movements.filter(kind=Kind.DISTRIBUTE)
        .values("community__name", "distribution__recipient", "distribution__post__name")
        .annotate(
            quantity=Sum("quantity"),
            households=Count("distribution__help_request", distinct=True),
            # A household distribution from before requests were linked: one household each.
            unlinked=Count(
                "distribution", distinct=True, filter=Q(distribution__help_request__isnull=True)
            ),
        )
        .order_by("community__name", "distribution__recipient", "distribution__post__name")
    )
    household = Distribution.Recipient.HOUSEHOLD
    return [
        {
            "community": row["community__name"],
            "recipient": row["distribution__recipient"],
            "post": row["distribution__post__name"],
            "quantity": row["quantity"],
            "households": row["households"] + row["unlinked"]
            if row["distribution__recipient"] == household
            else 0,
        }
        for row in rows
    ]


def donor_trace(donor, pledges=None):
    """For each pledge of `donor`: its lines (pledged, accepted, rejected), the path of the
    goods as (date, kind, community, item, quantity) steps, and what is still in stock.

    `pledges` (the donor's pledges as a list or an ordered, sliced queryset: one page of them)
    narrows it to those; every query then reads only their rows, so a page of a donor with a
    year of pledges costs what a page of a new donor costs. Five queries."""
    if pledges is None:
        pledges = Pledge.objects.filter(donor=donor).order_by("-created_at", "-pk")
    pledges = list(pledges)
    prefetch_related_objects(pledges, "lines__item", "lines__need__community", "receipts")
    ids = [pledge.pk for pledge in pledges]
    received = defaultdict(lambda: {"accepted": 0, "rejected": 0, "reasons": []})
    for row in ReceivingLine.objects.filter(pledge_line__pledge_id__in=ids).values(
        "pledge_line_id", "accepted", "rejected", "rejection_reason"
    ):
        entry = received[row["pledge_line_id"]]
        entry["accepted"] += row["accepted"]
        entry["rejected"] += row["rejected"]
        if row["rejection_reason"]:
            entry["reasons"].append(row["rejection_reason"])
    steps = defaultdict(list)
    for row in (
        Movement.objects.filter(lot__pledge_line__pledge_id__in=ids, kind__in=PATH_KINDS)
        .values(
            "lot__pledge_line__pledge_id", "kind", "community__name", "item__name", "item__unit"
        )
        .annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()), n=Sum("quantity")
        )
        .order_by("day", "kind", "community__name")
    ):
        steps[row["lot__pledge_line__pledge_id"]].append(row)
    stock = defaultdict(list)
    for row in (
        Balance.objects.filter(lot__pledge_line__pledge_id__in=ids, quantity__gt=0)
        .values(
            "lot__pledge_line__pledge_id",
            "item__name",
            "item__unit",
            "location__name",
            "location__kind",
        )
        .annotate(n=Sum("quantity"))
        .order_by("location__name", "item__name")
    ):
        stock[row["lot__pledge_line__pledge_id"]].append(row)
    result = []
    for pledge in pledges:
        lines = []
        for line in pledge.lines.all():
            info = received[line.pk]
            lines.append(
                {
                    "line": line,
                    "accepted": info["accepted"],
                    "rejected": info["rejected"],
                    "reasons": info["reasons"],
                    "outstanding": max(line.quantity - info["accepted"] - info["rejected"], 0),
                }
            )
        path = [{**row, "kind_label": Kind(row["kind"]).label} for row in steps[pledge.pk]]
        totals = defaultdict(int)
        for row in steps[pledge.pk]:
            totals[row["kind"]] += row["n"]
        result.append(
            {
                "pledge": pledge,
                "lines": lines,
                "path": path,
                "stock": stock[pledge.pk],
                "receipts": list(pledge.receipts.all()),
                "distributed": totals[Kind.DISTRIBUTE],
                "received": totals[Kind.RECEIVE],
            }
        )
    return result


def pledge_trace(pledge):
    """donor_trace's entry for one pledge (five queries, whatever the donor's other pledges)."""
    [entry] = donor_trace(pledge.donor, pledges=[pledge])
    return entry


def board_data(weeks=8):
    """Totals for the public board: by item, community, donor and week. Reads the ledger's
    weekly totals (services.flows), the balances and the receive movements only, never every
    movement: seven queries, whatever the size of the ledger."""
    summary = WeeklyFlow.objects.order_by()
    by_item = {}
    items = {item.pk: item for item in Item.objects.all()}
    for row in (
        summary.filter(kind__in=[Kind.RECEIVE, Kind.DISTRIBUTE])
        .values("item_id", "kind")
        .annotate(n=Sum("quantity"))
    ):
        entry = by_item.setdefault(
            row["item_id"], {"item": items.get(row["item_id"]), "received": 0, "distributed": 0}
        )
        entry["received" if row["kind"] == Kind.RECEIVE else "distributed"] += row["n"]
    in_stock = {
        row["item_id"]: row["n"]
        for row in Balance.objects.order_by()
        .exclude(location__kind=Location.Kind.TRANSIT)
        .values("item_id")
        .annotate(n=Sum("quantity"))
    }
    item_rows = sorted(by_item.values(), key=lambda e: (-e["received"], e["item"].name))
    for entry in item_rows:
        entry["in_stock"] = in_stock.get(entry["item"].pk, 0)
    community_rows = list(
        summary.filter(
            kind__in=[Kind.RECEIVE_AT_COMMUNITY, Kind.DISTRIBUTE], community__isnull=False
        )
        .values("community__name", "item__name", "item__unit")
        .annotate(
            received=Sum("quantity", filter=Q(kind=Kind.RECEIVE_AT_COMMUNITY)),
            distributed=Sum("quantity", filter=Q(kind=Kind.DISTRIBUTE)),
        )
        .order_by("community__name", "item__name")
    )
    donors = defaultdict(lambda: {"received": 0, "items": defaultdict(int)})
    donor_ids = set()
    # Receipts from donors are few (one movement per lot): the index on kind finds them.
    for row in (
        Movement.objects.order_by()
        .filter(kind=Kind.RECEIVE)
        .values(
            "lot__donor_id",
            "lot__donor__name",
            "lot__donor__public_name_consent",
            "item__name",
            "item__unit",
        )
        .annotate(n=Sum("quantity"))
    ):
        donor_ids.add(row["lot__donor_id"])
        key = row["lot__donor_id"] if row["lot__donor__public_name_consent"] else None
        entry = donors[key]
        entry["name"] = row["lot__donor__name"] if key else None
        entry["pk"] = key
        entry["received"] += row["n"]
        entry["items"][f"{row['item__name']}（{row['item__unit']}）"] += row["n"]
    donor_rows = sorted(
        (
            {
                "pk": e["pk"],
                "name": e["name"],
                "received": e["received"],
                "items": sorted(e["items"].items()),
            }
            for e in donors.values()
        ),
        key=lambda e: (e["name"] is None, -e["received"]),
    )
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    weeks_list = flows.weeks_between(today - timedelta(weeks=weeks), today)
    # {item id: [{"week", "received", "distributed", "stock"}, ...]} for each week shown.
    timelines = flows.item_weeks(weeks_list)
    return {
        "items": item_rows,
        "communities": community_rows,
        "donors": donor_rows,
        "timelines": timelines,
        "weeks": weeks_list,
        "donor_count": len(donor_ids),
    }


def public_figures():
    """Units received and distributed, all items together, for the home page. One query."""
    totals = Movement.objects.order_by().aggregate(
        received=Sum("quantity", filter=Q(kind=Kind.RECEIVE), default=0),
        distributed=Sum("quantity", filter=Q(kind=Kind.DISTRIBUTE), default=0),
    )
    return {"received": totals["received"], "distributed": totals["distributed"]}


def where_it_went(lots):
    """What became of `lots` (a queryset of one pledge's or one donor's lots), for pages anyone
    may open: per item, how much was received, sent to the communities, handed out and is still
    in stock; per community, how much arrived and was handed out to posts, to volunteers and to
    households (with how many households). Counts only: no post, person, address or staff name.
    Four queries."""
    moves = Movement.objects.filter(lot__in=lots).order_by()
    items = {}

    def item_row(name, unit):
        return items.setdefault(
            name,
            {"item": name, "unit": unit, "received": 0, "sent": 0, "handed_out": 0, "in_stock": 0},
        )

    for row in (
        moves.filter(kind__in=[Kind.RECEIVE, Kind.RECEIVE_AT_COMMUNITY, Kind.DISTRIBUTE])
        .values("kind", "item__name", "item__unit")
        .annotate(n=Sum("quantity"))
    ):
        key = {
            Kind.RECEIVE: "received",
            Kind.RECEIVE_AT_COMMUNITY: "sent",
            Kind.DISTRIBUTE: "handed_out",
        }[row["kind"]]
        item_row(row["item__name"], row["item__unit"])[key] += row["n"]
    for row in (
        Balance.objects.filter(lot__in=lots, quantity__gt=0)
        .order_by()
        .values("item__name", "item__unit")
        .annotate(n=Sum("quantity"))
    ):
        item_row(row["item__name"], row["item__unit"])["in_stock"] += row["n"]
    communities = {}

    def community_row(community, item, unit):
        return communities.setdefault(
            (community, item),
            {
                "community": community,
                "item": item,
                "unit": unit,
                "arrived": 0,
                "post": 0,
                "volunteers": 0,
                "household": 0,
                "households": 0,
            },
        )

    for row in (
        moves.filter(kind=Kind.RECEIVE_AT_COMMUNITY, community__isnull=False)
        .values("community__name", "item__name", "item__unit")
        .annotate(n=Sum("quantity"))
    ):
        community_row(row["community__name"], row["item__name"], row["item__unit"])["arrived"] += (
            row["n"]
        )
    for row in (
        moves.filter(kind=Kind.DISTRIBUTE, community__isnull=False)
        .values("community__name", "item__name", "item__unit", "distribution__recipient")
        .annotate(
            n=Sum("quantity"),
            households=Count("distribution__help_request", distinct=True),
            unlinked=Count(
                "distribution", distinct=True, filter=Q(distribution__help_request__isnull=True)
            ),
        )
    ):
        entry = community_row(row["community__name"], row["item__name"], row["item__unit"])
        recipient = row["distribution__recipient"]
        entry[recipient] += row["n"]
        if recipient == Distribution.Recipient.HOUSEHOLD:
            entry["households"] += row["households"] + row["unlinked"]
    return {
        "items": sorted(items.values(), key=lambda r: r["item"]),
        "communities": sorted(communities.values(), key=lambda r: (r["community"], r["item"])),
    }


def public_donor(name):
    """How the public site may show a firm or person called `name` (a story's thanks):
    (may_name, url). A registered donor that did not agree to be named in public is never
    named, whatever an editor ticked; one that agreed links to its donations page. A name that
    is no donor of ours gives (True, None): the editor's own consent box decides."""
    from django.urls import reverse

    donor = Donor.objects.filter(name=(name or "").strip()).only("pk", "public_name_consent")
    donor = donor.first()
    if donor is None:
        return True, None
    if not donor.public_name_consent:
        return False, None
    return True, reverse("donations:donor_public", args=[donor.pk])

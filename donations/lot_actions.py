"""What a signed-in person may see and do on a lot's page, the page a label's QR code opens
(issue 15 item 5). The page shows only the actions the user's role (permissions) and scope
(portal.scoping) allow: receive more of the pledge, allocate to a request, confirm receipt of
a dispatch note, hand out, follow the trace. Each action is a link to the back-office screen
that does it, which checks the same permission and scope again."""

from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from portal import roles
from portal.params import parse_id
from portal.scoping import can_access, community_ids, scope

from .models import Balance, Dispatch, Location, Lot, Pledge, SupplyRequestLine
from .services import expiry, recalls, request_line_progress

SHOWN_REQUESTS = 5


def lot_for(user, pk):
    """(lot, community ids) for the lot page: community ids None when the user's scope shows
    the lot whole (the warehouse, the subdistrict office, the lot's donor); else the ids of
    the user's communities the lot reached (sent to, stored in or handed out in), whose part
    of the trace they see. Any other lot, or an id that is not one, is a 404."""
    lot = Lot.objects.select_related("item", "donor", "pledge_line__pledge").filter(pk=parse_id(pk))
    lot = lot.first()
    if lot is None:
        raise Http404
    if can_access(user, lot):
        return lot, None
    if not roles.has_role(user, *roles.STAFF_ROLES):
        raise Http404
    mine = recalls.communities_reached(lot) & set(community_ids(user))
    if not mine:
        raise Http404
    return lot, mine


def only_communities(trace, ids):
    """The lot's trace cut down to what happened in communities `ids` (a community's staff
    see their own part, as on the recall page)."""
    trace = dict(trace)
    stores = set(Location.objects.filter(community_id__in=ids).values_list("pk", flat=True))
    trace["movements"] = [
        m
        for m in trace["movements"]
        if m.community_id in ids or {m.from_location_id, m.to_location_id} & stores
    ]
    names = set(Location.objects.filter(pk__in=stores).values_list("community__name", flat=True))
    trace["handed_out"] = [row for row in trace["handed_out"] if row["community"] in names]
    trace["balances"] = [b for b in trace["balances"] if b.location_id in stores]
    trace["received"] = sum(
        m.quantity for m in trace["movements"] if m.kind == "receive_at_community"
    )
    trace["distributed"] = sum(row["quantity"] for row in trace["handed_out"])
    trace["in_stock"] = sum(b.quantity for b in trace["balances"])
    return trace


def lot_actions(user, lot):
    """[{"kind", "label", "url"}] of what `user` may do with `lot` now."""
    actions = []
    usable = not expiry.is_expired(lot) and recalls.recall_of(lot) is None
    pledge = lot.pledge_line.pledge if lot.pledge_line_id else None
    if (
        pledge is not None
        and pledge.status in (Pledge.Status.PLEDGED, Pledge.Status.PARTIAL)
        and user.has_perm("donations.add_receipt")
        and can_access(user, pledge)
    ):
        actions.append(
            {
                "kind": "receive",
                "label": _("Receive the rest of this pledge"),
                "url": reverse("donations_admin:receive", args=[pledge.pk]),
            }
        )
    free = Balance.objects.filter(lot=lot, quantity__gt=F("reserved"))
    if usable and user.has_perm("donations.add_allocation"):
        in_warehouse = free.filter(location__kind=Location.Kind.WAREHOUSE).exists()
        lines = (
            scope(
                SupplyRequestLine.objects.filter(item_id=lot.item_id)
                .select_related("request__community")
                .order_by("-request__created_at", "-pk"),
                user,
            )[:20]
            if in_warehouse
            else []
        )
        open_lines = [line for line in request_line_progress(list(lines)) if line.open > 0]
        for line in open_lines[:SHOWN_REQUESTS]:
            actions.append(
                {
                    "kind": "allocate",
                    "label": _("Allocate to %(request)s (%(n)s open)")
                    % {"request": line.request, "n": line.open},
                    "url": reverse("donations_admin:request", args=[line.request_id]),
                }
            )
    if user.has_perm("donations.add_communityreceipt"):
        notes = Dispatch.objects.filter(
            status=Dispatch.Status.DISPATCHED,
            community_id__in=community_ids(user),
            allocations__lot=lot,
        ).distinct()
        for note in notes.order_by("pk"):
            actions.append(
                {
                    "kind": "confirm",
                    "label": _("Confirm receipt of %(serial)s") % {"serial": note.serial},
                    "url": reverse("donations_admin:confirm_receipt", args=[note.pk]),
                }
            )
    if usable and user.has_perm("donations.add_distribution"):
        stores = scope(free.filter(location__kind=Location.Kind.COMMUNITY), user)
        for balance in stores.select_related("location").order_by("location__name"):
            actions.append(
                {
                    "kind": "distribute",
                    "label": _("Hand out from %(store)s (%(n)s free)")
                    % {"store": balance.location.name, "n": balance.available},
                    "url": reverse("donations_admin:distribute"),
                }
            )
    if user.has_perm("donations.view_movement") and can_access(user, lot):
        actions.append(
            {
                "kind": "trace",
                "label": _("Trace to the communities (recall page)"),
                "url": reverse("donations_admin:recall", args=[lot.pk]),
            }
        )
    return actions

"""Needs (物资需求公示, issue 15.3): communities and the subdistrict say what they need, the
subdistrict approves it, the public needs page shows it with what was pledged and received,
and a need is met when what arrived covers it.

    draft --submit--> submitted --approve--> approved (public, takes pledges) --> met | closed
                          \\--reject (reason)--> rejected --edit--> draft

Pledged = the quantities of the pledge lines linked to the need whose pledge is not cancelled;
received = what was accepted of those lines; missing = quantity - received, never below 0.
`services.receive` calls `mark_met` for the needs its lines answer, so a need is met by the
same transaction that received the last units, whichever screen received them. Every change
makes the cached public needs page stale (`changed`)."""

import datetime
from datetime import timedelta

from django.db import transaction
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Need, Pledge, PledgeLine, ReceivingLine
from portal import roles
from portal.bounds import MAX_QUANTITY
from portal.scoping import community_ids

from .errors import StockError

Status = Need.Status
# The page cache's version key of the needs page (portal.pagecache.public_cache(versions=)).
VERSION_KEY = "donations:needs:version"
EDITABLE = (Status.DRAFT, Status.REJECTED)
FIELDS = ("community", "item", "quantity", "urgency", "needed_by", "purpose")


def changed():
    """The public needs page is stale once the current transaction commits."""
    from portal.pagecache import bump_version

    transaction.on_commit(lambda: bump_version(VERSION_KEY))


def _sum(queryset, field):
    return Coalesce(
        Subquery(
            queryset.values("need_id").annotate(n=Sum(field)).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_progress(needs):
    """`needs` annotated with pledged and received (one query, subqueries per row; no join
    that would multiply lines by receipts)."""
    lines = PledgeLine.objects.filter(need_id=OuterRef("pk")).exclude(
        pledge__status=Pledge.Status.CANCELLED
    )
    received = ReceivingLine.objects.filter(pledge_line__need_id=OuterRef("pk")).exclude(
        pledge_line__pledge__status=Pledge.Status.CANCELLED
    )
    return needs.annotate(
        pledged=_sum(lines.order_by(), "quantity"),
        received=Coalesce(
            Subquery(
                received.order_by()
                .values("pledge_line__need_id")
                .annotate(n=Sum("accepted"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def progress(need):
    """{pledged, received, missing, percent_received, percent_pledged} of one need."""
    row = with_progress(Need.objects.filter(pk=need.pk)).values("pledged", "received").get()
    return figures(need.quantity, row["pledged"], row["received"])


def figures(quantity, pledged, received):
    return {
        "pledged": pledged,
        "received": received,
        "missing": max(quantity - received, 0),
        "percent_received": min(100, received * 100 // quantity) if quantity else 100,
        "percent_pledged": min(100, pledged * 100 // quantity) if quantity else 100,
    }


def _check_fields(user, data):
    community = data.get("community")
    if not roles.is_subdistrict_admin(user):
        if community is None or community.pk not in community_ids(user):
            raise StockError(
                {"community": StockError(_("Choose your community."), code="community")}
            )
    quantity = data.get("quantity")
    if not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        raise StockError(
            {
                "quantity": StockError(
                    _("The quantity must be a whole number from 1 to %(max)s.")
                    % {"max": f"{MAX_QUANTITY:,}"},
                    code="quantity",
                )
            }
        )
    if data.get("needed_by") and data["needed_by"] < timezone.localdate():
        raise StockError({"needed_by": StockError(_("This date has already passed."), code="past")})


@transaction.atomic
def create_need(user, **data):
    """A draft need of the user's community (a subdistrict admin: any, or the subdistrict's
    own with no community)."""
    _check_fields(user, data)
    return Need.objects.create(created_by=user, **{key: data[key] for key in FIELDS if key in data})


def _locked(need):
    return (
        Need.objects.select_for_update(of=("self",))
        .select_related("item", "community")
        .get(pk=need.pk)
    )


@transaction.atomic
def update_need(need, user, **data):
    """Change a draft or rejected need (a rejected one goes back to draft)."""
    need = _locked(need)
    if need.status not in EDITABLE:
        raise StockError(
            _("Only a draft or a rejected need can be changed; close it and publish a new one."),
            code="not_editable",
        )
    _check_fields(user, {key: data.get(key, getattr(need, key)) for key in FIELDS})
    for key in FIELDS:
        if key in data:
            setattr(need, key, data[key])
    need.status = Status.DRAFT
    need.save()
    return need


@transaction.atomic
def submit_need(need, user):
    """Send a draft to the subdistrict for approval. Submitting twice changes nothing."""
    need = _locked(need)
    if need.status == Status.SUBMITTED:
        return need
    if need.status not in EDITABLE:
        raise StockError(_("Only a draft need can be submitted."), code="not_draft")
    Need.objects.filter(pk=need.pk).update(status=Status.SUBMITTED, submitted_at=timezone.now())
    need.refresh_from_db()
    return need


def _decide(need, user):
    if not roles.is_subdistrict_admin(user):
        raise StockError(
            _("Only the subdistrict office approves or rejects needs."), code="permission"
        )
    need = _locked(need)
    if need.status != Status.SUBMITTED:
        raise StockError(
            _("This need is not waiting for approval (%(status)s).")
            % {"status": need.get_status_display()},
            code="not_submitted",
        )
    return need


@transaction.atomic
def approve_need(need, user):
    """Publish a submitted need on the public page (the subdistrict office only)."""
    need = _decide(need, user)
    Need.objects.filter(pk=need.pk).update(
        status=Status.APPROVED, decided_by=user, decided_at=timezone.now(), decision_reason=""
    )
    changed()
    need.refresh_from_db()
    _tell_the_author(need, user)
    return need


@transaction.atomic
def reject_need(need, user, reason):
    """Send a submitted need back with the reason (the subdistrict office only)."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason."), code="reason")
    need = _decide(need, user)
    Need.objects.filter(pk=need.pk).update(
        status=Status.REJECTED,
        decided_by=user,
        decided_at=timezone.now(),
        decision_reason=reason.strip()[:200],
    )
    need.refresh_from_db()
    _tell_the_author(need, user)
    return need


def _tell_the_author(need, decided_by):
    """Whoever wrote the need hears the subdistrict's decision (mail and a short SMS): a
    rejected need waits for them to correct it, an approved one is on the public page."""
    from portal.notify import notify

    author = need.created_by
    if author is None or author.pk == decided_by.pk or not author.is_active:
        return
    notify(
        author,
        "donations/notify/need_decided",
        {
            "item": need.item.name,
            "quantity": need.quantity,
            "unit": need.item.unit,
            "approved": need.status == Status.APPROVED,
            "reason": need.decision_reason,
        },
    )


@transaction.atomic
def close_need(need, user, reason):
    """Take a published need off the page before it is met (no longer needed). Pledges made
    against it stay as they are."""
    if not (reason or "").strip():
        raise StockError(_("Give a reason."), code="reason")
    need = _locked(need)
    if need.status == Status.CLOSED:
        return need
    if need.status != Status.APPROVED:
        raise StockError(_("Only a published need can be closed."), code="not_open")
    Need.objects.filter(pk=need.pk).update(
        status=Status.CLOSED,
        closed_by=user,
        ended_at=timezone.now(),
        close_reason=reason.strip()[:200],
    )
    changed()
    need.refresh_from_db()
    return need


def lock_open_need(need):
    """The need locked for a pledge against it, or the reason it takes none (pledge())."""
    need = _locked(need)
    if need.status == Status.MET:
        raise StockError(
            _("This need has been met. Thank you: please choose another need."), code="need_met"
        )
    if need.status != Status.APPROVED:
        raise StockError(_("This need is closed; it takes no more pledges."), code="need_closed")
    return need


def over_missing(need, quantity):
    """How many of `quantity` go beyond what the need still misses (0 when none do)."""
    return max(quantity - progress(need)["missing"], 0)


def mark_met(need_ids):
    """Needs among `need_ids` that are published and now received in full become met. Called
    inside services.receive's transaction. The need rows are locked first (in primary-key
    order): two deliveries for one need, of two pledges, then count in turn, and the second
    sees the first's units once it commits, so the delivery that covers the need always
    meets it."""
    need_ids = sorted(set(need_ids))
    if not need_ids:
        return []
    locked = list(
        Need.objects.select_for_update()
        .filter(pk__in=need_ids, status=Status.APPROVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    candidates = with_progress(Need.objects.filter(pk__in=locked))
    done = [
        row["pk"]
        for row in candidates.values("pk", "quantity", "received")
        if row["received"] >= row["quantity"]
    ]
    if done:
        Need.objects.filter(pk__in=done, status=Status.APPROVED).update(
            status=Status.MET, ended_at=timezone.now()
        )
    changed()
    return done


def public_needs(page=None, per_page=20, met=10):
    """The public page's needs: published ones, most urgent first then by date, a page of
    `per_page` at a time (a phone shows a screenful, and the page costs the same however many
    needs are open), and on the first page the `met` needs met last (within a fortnight); each
    with its figures. Two queries."""
    from portal.paging import page_without_count

    shown = with_progress(Need.objects.select_related("item", "community"))
    open_page = page_without_count(
        shown.filter(status=Status.APPROVED).order_by("urgency", "needed_by", "pk"),
        page,
        per_page,
    )
    recent = []
    if not open_page.has_previous():
        since = timezone.now() - timedelta(days=14)
        recent = list(
            shown.filter(status=Status.MET, ended_at__gte=since).order_by("-ended_at", "-pk")[:met]
        )
    for need in [*open_page.object_list, *recent]:
        need.figures = figures(need.quantity, need.pledged, need.received)
    return {"open": list(open_page.object_list), "met": recent, "page": open_page}


def needs_of(pledge):
    """The public needs `pledge` answers (its receipt, letters and traces name them)."""
    return list(
        Need.objects.filter(pledge_lines__pledge=pledge)
        .select_related("item", "community")
        .distinct()
        .order_by("pk")
    )


def met_by_week(weeks):
    """Needs met in each week of `weeks` (Mondays, Beijing time, as services.flows gives them):
    [(week, count), ...], for the board's and the dashboard's picture of needs met over time.
    One query over the needs met in those weeks."""
    from .flows import week_of_time

    if not weeks:
        return []
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(weeks[0], datetime.time.min), tz)
    counts = dict.fromkeys(weeks, 0)
    for ended_at in Need.objects.filter(status=Status.MET, ended_at__gte=start).values_list(
        "ended_at", flat=True
    ):
        week = week_of_time(ended_at)
        if week in counts:
            counts[week] += 1
    return list(counts.items())

"""Help-request operations: record, fulfil from stock, give to a volunteer, deliver, close,
anonymise. Each raises AssistanceError (translated) and changes status with a conditional
update, so two coordinators acting at once cannot both move a request."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.scoping import can_access, community_ids
from portal.validators import normalize_phone, validate_phone

from .models import HelpRequest, HelpRequestLine

DELIVERY_HOURS = 2
NOT_A_CANDIDATE = _(
    "This volunteer cannot be asked to deliver this request; choose one of the suggestions."
)


class AssistanceError(ValidationError):
    pass


# The form field each AssistanceError code of record_request belongs beside.
ERROR_FIELDS = {
    "phone": "contact_phone",
    "compound": "compound",
    "address": "building",
    "empty": "need",
}


def _ensure_staff(user, obj):
    if user is None or not can_access(user, obj):
        raise PermissionDenied


def _move(request, from_statuses, to_status, **fields):
    moved = HelpRequest.objects.filter(pk=request.pk, status__in=from_statuses).update(
        status=to_status, **fields
    )
    if not moved:
        raise AssistanceError(
            _("This request cannot be changed in its current state."), code="state"
        )
    request.refresh_from_db()
    return request


@transaction.atomic
def record_request(
    *,
    community,
    compound,
    building,
    contact_phone,
    lines=(),
    need="",
    urgency=HelpRequest.Urgency.NORMAL,
    contact_name="",
    by,
    own=False,
    token=None,
):
    """A coordinator (or the hotline) records a household's need: catalogue items
    [(item, quantity)] and/or free text. With `own=True` a signed-in resident records their
    own need (no staff rights needed; the request is theirs: `requester`); `token` makes a
    repeated submission of the same form return the first request instead of a second one."""
    if own:
        if by is None or not by.is_authenticated:
            raise PermissionDenied
        if token is not None:
            existing = HelpRequest.objects.filter(submission_token=token).first()
            if existing is not None:
                if existing.requester_id != by.pk:
                    raise PermissionDenied
                return existing
    # Whoever records it, the household must be reachable: a mobile or a landline.
    try:
        validate_phone(contact_phone)
    except ValidationError as error:
        raise AssistanceError(error.messages[0], code="phone") from error
    contact_phone = normalize_phone(contact_phone)
    if compound.community_id != community.pk:
        raise AssistanceError(_("This compound is not in the chosen community."), code="compound")
    lines = [(item, int(q)) for item, q in lines if item is not None and q]
    if not lines and not need.strip():
        raise AssistanceError(
            _("Say what is needed: items from the catalogue or a description."), code="empty"
        )
    if any(q <= 0 for _item, q in lines):
        raise AssistanceError(_("The quantity must be a positive whole number."), code="quantity")
    if not building.strip() or not contact_phone.strip():
        raise AssistanceError(_("Enter the building and a contact phone."), code="address")
    request = HelpRequest(
        community=community,
        compound=compound,
        building=building.strip(),
        contact_phone=contact_phone.strip(),
        contact_name=contact_name.strip(),
        need=need.strip(),
        urgency=urgency,
        created_by=by,
        requester=by if own else None,
        submission_token=token if own else None,
    )
    if not own:
        _ensure_staff(by, community)
    if own and token is not None:
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            # The same form, sent twice at once: the first one won.
            existing = HelpRequest.objects.get(submission_token=token)
            if existing.requester_id != by.pk:
                raise PermissionDenied from None
            return existing
    else:
        request.save()
    HelpRequestLine.objects.bulk_create(
        [HelpRequestLine(request=request, item=item, quantity=q) for item, q in lines]
    )
    return request


@transaction.atomic
def fulfil_from_stock(request, *, by, location=None):
    """Hand the requested catalogue items to the household from the community's store (or
    `location`): a donations Distribution traced like any other, pointing at the request (no
    address is copied)."""
    from donations.models import Distribution
    from donations.services import StockError, distribute
    from donations.services.ledger import community_store

    _ensure_staff(by, request)
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == HelpRequest.Status.CLOSED or request.anonymised_at:
        raise AssistanceError(_("This request is closed."), code="closed")
    if request.distributions.exists():
        raise AssistanceError(
            _("The items of this request were already handed out."), code="duplicate"
        )
    lines = [(line.item, line.quantity) for line in request.lines.select_related("item")]
    if not lines:
        raise AssistanceError(_("This request has no catalogue items."), code="empty")
    try:
        distribution = distribute(
            request.community,
            location or community_store(request.community),
            lines,
            recipient=Distribution.Recipient.HOUSEHOLD,
            user=by,
            help_request=request,
        )
    except StockError as error:
        raise AssistanceError(error.messages[0], code="stock") from error
    return distribution


def delivery_shift(request, *, by):
    """The delivery task and shift of this request (created once): starts now, one place."""
    from volunteers.models import Shift, Task

    _ensure_staff(by, request)
    with transaction.atomic():
        request = HelpRequest.objects.select_for_update().get(pk=request.pk)
        if request.delivery_shift_id:
            return request.delivery_shift
        task = Task.objects.create(
            community=request.community,
            compound=request.compound,
            kind=Task.Kind.DELIVERY,
            # the coordinator chooses who delivers: nobody takes it from the public list
            invite_only=True,
            title=f"居民求助配送 #{request.pk}",
            instructions=str(
                _(
                    "Delivery for a help request; the address is on the request "
                    "page once it is yours."
                )
            ),
        )
        start = timezone.now() + timedelta(minutes=5)
        shift = Shift.objects.create(
            task=task, start=start, end=start + timedelta(hours=DELIVERY_HOURS), places=1
        )
        HelpRequest.objects.filter(pk=request.pk).update(delivery_shift=shift)
    return shift


def suggest_volunteers(request, *, by, top=10, now=None):
    """Volunteers ranked for the request's delivery shift (volunteers.matching); for an urgent
    request at night, the volunteers on call first, nearest first (assistance.on_call)."""
    from .on_call import suggest_for_request

    return suggest_for_request(request, delivery_shift(request, by=by), top=top, now=now)


NO_ONE_ON_CALL = _("Nobody on call tonight can take this delivery; choose from the suggestions.")


def offer_to_on_call(request, *, by, now=None):
    """Give an urgent request's delivery to the nearest volunteer on call tonight (the first
    on-call suggestion); AssistanceError when there is none."""
    on_call = [s for s in suggest_volunteers(request, by=by, now=now) if s.on_call]
    if not on_call:
        raise AssistanceError(NO_ONE_ON_CALL, code="no_on_call")
    return assign_volunteer(request, on_call[0].profile, by=by)


@transaction.atomic
def assign_volunteer(request, profile, *, by):
    """Give the delivery to `profile`: an invitation to the delivery shift (the same rules as
    any shift) and the request moves to assigned; the volunteer now sees address and phone.

    Only a candidate of the delivery shift (someone its suggestions may offer) can be chosen;
    anyone else is refused with one message that says nothing about that person."""
    from portal.notify import notify
    from volunteers.matching import candidates_among
    from volunteers.services import invite

    _ensure_staff(by, request)
    shift = delivery_shift(request, by=by)
    if profile is None or not candidates_among(shift, [profile.pk]):
        raise AssistanceError(NOT_A_CANDIDATE, code="candidate")
    invite(shift, profile, by)
    _move(
        request,
        [HelpRequest.Status.NEW],
        HelpRequest.Status.ASSIGNED,
        assigned_volunteer=profile,
        assigned_at=timezone.now(),
    )
    if profile.user_id:
        from portal.links import site_url

        notify(
            profile.user,
            "assistance/notify/assigned",
            {
                "number": request.pk,
                "compound": request.compound.name,
                "link": site_url("assistance:request", request.pk),
            },
        )
    return request


@transaction.atomic
def mark_delivered(request, *, by):
    """The assigned volunteer (or the community's staff) says it was delivered: that closes the
    request (delivered and closed at the same moment); nobody has to press "close" after it.
    A coordinator can reopen it (reopen_request)."""
    volunteer = getattr(by, "volunteer_profile", None)
    is_assignee = volunteer is not None and request.assigned_volunteer_id == volunteer.pk
    if not is_assignee:
        _ensure_staff(by, request)
    now = timezone.now()
    request = _move(
        request,
        [HelpRequest.Status.ASSIGNED]
        if is_assignee
        else [HelpRequest.Status.NEW, HelpRequest.Status.ASSIGNED],
        HelpRequest.Status.CLOSED,
        delivered_at=now,
        closed_at=now,
    )
    audit.record("assistance.request.delivered", user=by, obj=request)
    return request


@transaction.atomic
def close_request(request, *, by):
    """Close a request left at "delivered" (marked so before a delivery closed the request)."""
    _ensure_staff(by, request)
    request = _move(
        request, [HelpRequest.Status.DELIVERED], HelpRequest.Status.CLOSED, closed_at=timezone.now()
    )
    audit.record("assistance.request.close", user=by, obj=request)
    return request


@transaction.atomic
def reopen_request(request, *, by, reason):
    """A coordinator reopens a closed request (the delivery did not arrive, more is needed):
    back to assigned with its volunteer if it had one, else new. Audited; not once the
    household's details are wiped (there is no door left to deliver to)."""
    _ensure_staff(by, request)
    reason = (reason or "").strip()
    if not reason:
        raise AssistanceError(_("Say why the request is reopened."), code="reason")
    if request.anonymised_at is not None:
        raise AssistanceError(
            _("This request was anonymised after the retention period; record a new one."),
            code="anonymised",
        )
    to_status = (
        HelpRequest.Status.ASSIGNED if request.assigned_volunteer_id else HelpRequest.Status.NEW
    )
    request = _move(
        request,
        [HelpRequest.Status.CLOSED],
        to_status,
        closed_at=None,
        delivered_at=None,
    )
    audit.record("assistance.request.reopen", user=by, obj=request, reason=reason[:200])
    return request


# What anonymising leaves of a request: community, compound, items, times and status (for the
# figures), and nothing that says who or where the household is or what it told us.
ANONYMISED = {
    "building": "",
    "contact_name": "",
    "contact_phone": "",
    "need": "",
    "requester": None,
    "submission_token": None,
}


def expired_requests(now=None):
    """Requests past retention and not yet anonymised: closed more than
    ASSISTANCE_RETENTION_DAYS ago, or never closed and untouched (no assignment or delivery)
    for ASSISTANCE_OPEN_RETENTION_DAYS, so a request nobody closed does not live for ever."""
    now = now or timezone.now()
    closed_cutoff = now - timedelta(days=settings.ASSISTANCE_RETENTION_DAYS)
    open_cutoff = now - timedelta(days=settings.ASSISTANCE_OPEN_RETENTION_DAYS)
    return (
        HelpRequest.objects.filter(anonymised_at__isnull=True)
        .annotate(last_moved=Coalesce("delivered_at", "assigned_at", "created_at"))
        .filter(
            Q(status=HelpRequest.Status.CLOSED, closed_at__lt=closed_cutoff)
            | (~Q(status=HelpRequest.Status.CLOSED) & Q(last_moved__lt=open_cutoff))
        )
    )


@transaction.atomic
def anonymise_closed(now=None):
    """Wipe the contact name, phone, address and need of every request past retention
    (expired_requests) and the notes of the distributions made for them. Idempotent: returns
    how many requests were anonymised this time."""
    return anonymise(HelpRequest.objects.filter(pk__in=expired_requests(now).values("pk")), now)


@transaction.atomic
def anonymise(requests, now=None):
    """Wipe the personal details of `requests` (a queryset; those already anonymised are left
    as they are) and the notes of distributions made for anonymised requests."""
    from donations.models import Distribution

    count = requests.filter(anonymised_at__isnull=True).update(
        anonymised_at=now or timezone.now(), **ANONYMISED
    )
    # Every run, not only for this run's requests, so nothing linked to an anonymised request
    # survives (a note typed after the fact, an interrupted run).
    Distribution.objects.filter(help_request__anonymised_at__isnull=False).exclude(note="").update(
        note=""
    )
    return count


def overdue_urgent(queryset, now=None):
    """Urgent requests still not assigned MATCHING_URGENT_MINUTES after they were recorded."""
    now = now or timezone.now()
    minutes = settings.MATCHING_URGENT_MINUTES
    return queryset.filter(
        urgency=HelpRequest.Urgency.URGENT,
        status=HelpRequest.Status.NEW,
        created_at__lt=now - timedelta(minutes=minutes),
    )


def low_stock(requests):
    """Items the (scoped) open requests ask for with less free stock at their community's store
    than requested: [{community, item, requested, free}]."""
    from donations.models import Balance, Location

    open_lines = (
        HelpRequestLine.objects.filter(
            request__in=requests.exclude(status=HelpRequest.Status.CLOSED).filter(
                distributions__isnull=True
            )
        )
        .values("request__community_id", "request__community__name", "item_id", "item__name")
        .annotate(requested=Sum("quantity"))
    )
    rows = list(open_lines)
    if not rows:
        return []
    free = {}
    for row in (
        Balance.objects.filter(
            location__kind=Location.Kind.COMMUNITY,
            location__community_id__in={r["request__community_id"] for r in rows},
            item_id__in={r["item_id"] for r in rows},
        )
        .values("location__community_id", "item_id")
        .annotate(on_hand=Sum("quantity"), reserved=Sum("reserved"))
    ):
        free[(row["location__community_id"], row["item_id"])] = (row["on_hand"] or 0) - (
            row["reserved"] or 0
        )
    out = []
    for r in rows:
        have = free.get((r["request__community_id"], r["item_id"]), 0)
        if have < r["requested"]:
            out.append(
                {
                    "community": r["request__community__name"],
                    "item": r["item__name"],
                    "requested": r["requested"],
                    "free": have,
                }
            )
    return out


def address_communities(user):
    """The communities whose requests' address, contact and need `user` sees as staff: those
    they serve, if they may view requests at all. A subdistrict admin sees every request in
    the lists, but the address only where they are also a member of the community's staff."""
    if not user.is_authenticated or not user.has_perm("assistance.view_helprequest"):
        return set()
    return set(community_ids(user))


def address_visible_to_staff(user):
    """The requests of address_communities(user)."""
    return HelpRequest.objects.filter(community_id__in=address_communities(user))


def can_see_address(user, request):
    """The community's staff, the assigned volunteer while the delivery is open and the
    resident who asked; nobody once the request is anonymised (nothing is left to see)."""
    if request.anonymised_at is not None or not user.is_authenticated:
        return False
    if request.requester_id is not None and request.requester_id == user.pk:
        return True
    return (
        address_visible_to_staff(user).filter(pk=request.pk).exists()
        or visible_to_volunteer(user).filter(pk=request.pk).exists()
    )


def visible_to_volunteer(user):
    """Requests whose address a volunteer may see: assigned to them and not yet delivered
    (a delivery closes the request)."""
    return HelpRequest.objects.filter(
        Q(assigned_volunteer__user=user),
        status=HelpRequest.Status.ASSIGNED,
        anonymised_at__isnull=True,
    )


def pick_up_points(request):
    """Where the volunteer collects the goods: the stores the request's items were handed out
    from; before that, the community's store if the request asks for catalogue items."""
    from donations.models import Location

    points = list(
        Location.objects.filter(pk__in=request.distributions.values("location_id")).select_related(
            "community"
        )
    )
    if not points and request.lines.exists():
        points = list(
            Location.objects.filter(kind=Location.Kind.COMMUNITY, community_id=request.community_id)
            .select_related("community")
            .order_by("pk")[:1]
        )
    return points


def own_requests(user):
    """The requests a resident made on the website (only theirs)."""
    if not user.is_authenticated:
        return HelpRequest.objects.none()
    return HelpRequest.objects.filter(requester=user)


def hand_on_declined_delivery(sender, signup, sent, **kwargs):
    """The assigned volunteer declined the delivery invitation: the request goes to whoever
    was invited next (volunteers.services.offer_after_decline), or back to new for the
    coordinator when nobody could be invited."""
    from portal.notify import notify

    requests = HelpRequest.objects.filter(
        delivery_shift_id=signup.shift_id,
        status=HelpRequest.Status.ASSIGNED,
        assigned_volunteer_id=signup.profile_id,
    )
    for request in requests:
        if sent:
            profile = sent[0].profile
            moved = HelpRequest.objects.filter(
                pk=request.pk,
                status=HelpRequest.Status.ASSIGNED,
                assigned_volunteer_id=signup.profile_id,
            ).update(assigned_volunteer=profile, assigned_at=timezone.now())
            if moved and profile.user_id:
                from portal.links import site_url

                notify(
                    profile.user,
                    "assistance/notify/assigned",
                    {
                        "number": request.pk,
                        "compound": request.compound.name,
                        "link": site_url("assistance:request", request.pk),
                    },
                )
        else:
            HelpRequest.objects.filter(
                pk=request.pk,
                status=HelpRequest.Status.ASSIGNED,
                assigned_volunteer_id=signup.profile_id,
            ).update(status=HelpRequest.Status.NEW, assigned_volunteer=None, assigned_at=None)

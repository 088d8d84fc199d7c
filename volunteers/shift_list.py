"""The shift list's order: the volunteer's compound first, then her community, then the rest
of the subdistrict, read tier by tier as far as the page needs (volunteers.views.shifts)."""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from .models import Shift, Signup


def _clashes_with_hers(profile):
    """She holds another shift at that time: the list says so instead of offering a button
    that can only fail."""
    return Exists(
        Signup.objects.expected()
        .filter(profile=profile, shift__start__lt=OuterRef("end"))
        .filter(shift__end__gt=OuterRef("start"))
        .exclude(shift=OuterRef("pk"))
    )


def open_shifts_queryset(profile, community=None):
    """Shifts to come, full ones too (they take a waiting list), the volunteer's compound
    first, then their community, then the rest of the subdistrict; one query whatever their
    number."""
    shifts = (
        Shift.objects.upcoming()
        .public()
        .select_related("task__community", "task__compound", "task__post__compound")
    )
    if profile is not None:
        shifts = shifts.filter(task__community__subdistrict_id=profile.community.subdistrict_id)
        near = Q(task__compound_id=profile.compound_id) | Q(
            task__post__compound_id=profile.compound_id
        )
        shifts = shifts.annotate(
            nearness=Case(
                When(near if profile.compound_id else Q(pk__in=[]), then=Value(0)),
                When(task__community_id=profile.community_id, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            mine=Exists(Signup.objects.expected().filter(shift=OuterRef("pk"), profile=profile)),
            clashes=_clashes_with_hers(profile),
        ).order_by("nearness", "start", "pk")
    elif community is not None:
        shifts = shifts.filter(task__community=community)
    return shifts


def _nearest_first(queryset, profile, stop):
    """The first `stop` rows of `open_shifts_queryset(profile)`'s order (nearness, start, pk),
    filtered as `queryset` (the same shifts, not yet annotated), tier by tier: her compound's,
    then her community's, then the rest. Each tier is ordered by start alone, which the index
    on start serves, and read only as far as the page needs: the first page of a year's shifts
    reads some forty rows instead of sorting every shift of the next two weeks."""
    near = Q(pk__in=[])
    if profile.compound_id:
        near = Q(task__compound_id=profile.compound_id) | Q(
            task__post__compound_id=profile.compound_id
        )
    community = Q(task__community_id=profile.community_id)
    tiers = [queryset.filter(near), queryset.filter(community).exclude(near)]
    tiers.append(queryset.exclude(near).exclude(community))
    mine = Exists(Signup.objects.expected().filter(shift=OuterRef("pk"), profile=profile))
    clashes = _clashes_with_hers(profile)
    rows = []
    for nearness, tier in enumerate(tiers):
        if nearness == 0 and not profile.compound_id:
            continue
        wanted = stop - len(rows)
        if wanted <= 0:
            break
        rows += tier.annotate(nearness=Value(nearness), mine=mine, clashes=clashes).order_by(
            "start", "pk"
        )[:wanted]
    return rows

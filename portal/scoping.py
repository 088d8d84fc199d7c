"""The one place that decides which records a user may see.

Every list, detail view, export, import and API in the project passes its queryset through
`scope(queryset, user)`. Models say how they relate to the scoping units with class attributes:

- `community_lookup`: the ORM path from the model to its Community ("compound__community").
- `donor_lookup`: the ORM path to its Donor, for records a donor representative may see.
- `owner_lookup`: the ORM path to the User who owns it (a volunteer's own profile).
- `warehouse_visible = True`: warehouse keepers see all of it (stock, lots, movements).
- `team_lookup`: the ORM path to the volunteer Team it belongs to; a team leader sees the
  records of the teams they lead (and is not a coordinator: no community rule applies).

A subdistrict admin sees everything; anyone else sees the union of what each rule allows, and
a model with no rule that matches shows nothing.
"""

from django.db.models import Q

from portal import roles


def community_ids(user):
    """The ids of the communities a member of staff serves (cached on the user object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_community_ids", None)
    if cached is None:
        cached = list(user.memberships.values_list("community_id", flat=True))
        user._community_ids = cached
    return cached


def donor_ids(user):
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_donor_ids", None)
    if cached is None:
        reps = getattr(user, "donor_representations", None)
        cached = list(reps.values_list("donor_id", flat=True)) if reps is not None else []
        user._donor_ids = cached
    return cached


def team_ids(user):
    """The ids of the volunteer teams `user` leads (cached on the user object). Read through
    the user's reverse relations, by name, so portal imports no app."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_team_ids", None)
    if cached is None:
        from django.contrib.auth import get_user_model

        path = "volunteer_profile__team_memberships"
        cached = list(
            get_user_model()
            ._default_manager.filter(
                pk=user.pk,
                **{f"{path}__is_leader": True, f"{path}__status": "approved"},
            )
            .values_list(f"{path}__team_id", flat=True)
        )
        user._team_ids = cached
    return cached


def scope(queryset, user):
    model = queryset.model
    if not user.is_authenticated:
        return queryset.none()
    if roles.is_subdistrict_admin(user):
        return queryset
    if getattr(model, "warehouse_visible", False) and roles.has_role(user, roles.WAREHOUSE):
        return queryset

    condition = Q(pk__in=[])
    community_lookup = getattr(model, "community_lookup", None)
    if community_lookup and roles.has_role(user, *roles.STAFF_ROLES):
        condition |= Q(**{f"{community_lookup}__in": community_ids(user)})
    donor_lookup = getattr(model, "donor_lookup", None)
    if donor_lookup:
        condition |= Q(**{f"{donor_lookup}__in": donor_ids(user)})
    team_lookup = getattr(model, "team_lookup", None)
    if team_lookup and roles.has_role(user, roles.TEAM_LEADER):
        condition |= Q(**{f"{team_lookup}__in": team_ids(user)})
    owner_lookup = getattr(model, "owner_lookup", None)
    if owner_lookup:
        condition |= Q(**{owner_lookup: user})
    scoped = queryset.filter(condition)
    # A lookup through a many-valued relation can repeat rows; only such models ask for distinct.
    return scoped.distinct() if getattr(model, "scope_needs_distinct", False) else scoped


def get_scoped_or_404(user, model_or_queryset, **lookup):
    """The one object matching `lookup` among those `user` may see; others answer 404, as if
    they did not exist, and so does an id that is not one (portal.params). For every view,
    public or back office, that fetches one record."""
    from portal.params import get_object_or_404

    queryset = (
        model_or_queryset
        if hasattr(model_or_queryset, "model")
        else model_or_queryset._default_manager.all()
    )
    return get_object_or_404(scope(queryset, user), **lookup)


def can_access(user, obj):
    """True when `obj` is inside what `scope` lets `user` see."""
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def communities_for(user):
    from portal.models import Community

    return scope(Community.objects.all(), user)

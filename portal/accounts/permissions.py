"""A person's permissions from the shared cache, not two queries on every request.

Every signed-in request asks at least once what the person may do (StaffSessionMiddleware's
"is this staff?", the admin's menus, the views' checks). Django's ModelBackend answers from two
queries (the user's own permissions, their groups' permissions), kept on the user object for
that request only. `CachedPermissionsBackend`, listed first in AUTHENTICATION_BACKENDS, puts
the same set on the user object from the cache (Redis in production, shared by every process),
so ModelBackend and allauth's backend (a ModelBackend) find it there and ask nothing.

The cached set carries a generation that moves whenever any permission could have changed:
a user's groups or own permissions (m2m_changed), a group's permissions, a group or a
permission saved or deleted, a group's page or collection permission (they change the admin's
menu, cached under the same generation by portal/admin/sidebar.py; the person's roles,
portal.roles.has_role, are kept the same way). A role taken away therefore counts from the next request, in every
process. PERMISSIONS_CACHE_SECONDS (default 300) bounds the life of an entry anyway.

The backend authenticates nobody (`authenticate` answers None, so log-ins go on to the next
backends) and loads the session's user like ModelBackend.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import GroupApprovalTask, GroupCollectionPermission, GroupPagePermission

from portal.fragments import cached_under
from portal.models import User

GENERATION_KEY = "portal:permissions:generation"


def _key(user, kind=""):
    return f"portal:permissions:{user.pk}:{int(user.is_superuser)}{kind}"


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def bump_generation(**_kwargs):
    """Every cached permission set is stale from now on, and again once the change is
    committed (a request between the two read the rows as they were)."""
    _bump()
    transaction.on_commit(_bump)


def cached_permissions(user, compute, kind="", seconds=None):
    """`user`'s permission names: from the cache if they were stored under the current
    generation, else `compute()` (then stored for `seconds`, PERMISSIONS_CACHE_SECONDS unless
    given). One cache round trip when found: the generation and the set are read together, and
    the set carries the generation it was computed under."""
    names = cached_under(
        _key(user, kind),
        [GENERATION_KEY],
        lambda: frozenset(compute()),
        settings.PERMISSIONS_CACHE_SECONDS if seconds is None else seconds,
        fresh=lambda: 1,
    )
    return set(names)


def cached_for_user(user, name, compute, seconds=None):
    """Another answer that follows from `user`'s groups and permissions (such as "may this
    person edit any page?" or their admin menu), kept like the permission set: under the
    current generation, for at most `seconds` (PERMISSIONS_CACHE_SECONDS unless given)."""
    (answer,) = cached_permissions(user, lambda: [compute()], kind=f":{name}", seconds=seconds)
    return answer


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend's permission set, from the cache (see the module docstring)."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = cached_permissions(
                user_obj,
                lambda: {
                    *self.get_user_permissions(user_obj),
                    *self.get_group_permissions(user_obj),
                },
            )
        return user_obj._perm_cache


for _sender in (
    User.groups.through,
    User.user_permissions.through,
    Group.permissions.through,
    GroupApprovalTask.groups.through,  # who reviews pages (portal.wagtail_hooks' dashboard)
):
    m2m_changed.connect(bump_generation, sender=_sender, dispatch_uid=f"perm-gen-m2m-{_sender}")
for _model in (
    Group,
    Permission,
    User.groups.through,
    User.user_permissions.through,
    Group.permissions.through,
    # not in the permission set, but in what the admin's menu shows (portal/admin/sidebar.py)
    GroupPagePermission,
    GroupCollectionPermission,
):
    post_save.connect(bump_generation, sender=_model, dispatch_uid=f"perm-gen-save-{_model}")
    post_delete.connect(bump_generation, sender=_model, dispatch_uid=f"perm-gen-delete-{_model}")

"""Roles are Django groups. Each app says what its roles may do in `<app>/roles.py`:

    PERMISSIONS = {roles.COORDINATOR: ["volunteers.change_volunteer", ...], ...}

`sync_roles()` (run after every migrate) creates the groups and gives them exactly those
permissions, so a new app's permissions reach the roles without a hand-written migration.
"""

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, Permission

VOLUNTEER = "志愿者"
DONOR_REP = "捐赠方代表"
COORDINATOR = "社区工作人员"
WAREHOUSE = "物资管理员"
EDITOR = "编辑"
SUBDISTRICT_ADMIN = "街道管理员"
# Leads one or more volunteer teams (volunteers.models.Team): a back office scoped to those
# teams (portal.scoping `team_lookup`); not staff of any community.
TEAM_LEADER = "志愿队长"

ALL_ROLES = [VOLUNTEER, DONOR_REP, COORDINATOR, WAREHOUSE, EDITOR, SUBDISTRICT_ADMIN, TEAM_LEADER]
STAFF_ROLES = [COORDINATOR, WAREHOUSE, EDITOR, SUBDISTRICT_ADMIN]

ADMIN_ACCESS = "wagtailadmin.access_admin"
# The audit trail (Reports -> Audit trail), scoped: a coordinator sees their communities' events.
VIEW_AUDIT_TRAIL = "portal.view_auditevent"

PERMISSIONS = {
    COORDINATOR: [
        ADMIN_ACCESS,
        "portal.view_compound",
        "portal.view_post",
        "portal.add_post",
        "portal.change_post",
        "portal.view_community",
        VIEW_AUDIT_TRAIL,
    ],
    WAREHOUSE: [ADMIN_ACCESS, "portal.view_community", "portal.view_compound"],
    EDITOR: [
        ADMIN_ACCESS,
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    SUBDISTRICT_ADMIN: [ADMIN_ACCESS, VIEW_AUDIT_TRAIL],
    VOLUNTEER: [],
    DONOR_REP: [],
    TEAM_LEADER: [ADMIN_ACCESS],
}

# The subdistrict admin may do everything but delete with the place directory and accounts.
ADMIN_MODELS = [
    "portal.subdistrict",
    "portal.community",
    "portal.compound",
    "portal.post",
    "portal.staffmembership",
    "portal.user",
]


def role_permissions():
    """The union of every installed app's PERMISSIONS, keyed by role."""
    merged = {role: set() for role in ALL_ROLES}
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError:
            continue
        for role, perms in getattr(module, "PERMISSIONS", {}).items():
            merged.setdefault(role, set()).update(perms)
    for model in ADMIN_MODELS:
        app_label, name = model.split(".")
        merged[SUBDISTRICT_ADMIN].update(
            f"{app_label}.{action}_{name}" for action in ("add", "change", "view")
        )
    # Places are renamed or retired and accounts deactivated, never deleted (portal.admin);
    # a staff membership is ended by deleting it.
    merged[SUBDISTRICT_ADMIN].add("portal.delete_staffmembership")
    return merged


def sync_roles():
    """Give each role's group exactly its permissions (one query for all permissions)."""
    known = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perms in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([known[perm] for perm in sorted(perms) if perm in known])


def has_role(user, *roles):
    if not user.is_authenticated:
        return False
    if user.is_superuser and SUBDISTRICT_ADMIN in roles:
        return True
    names = getattr(user, "_role_names", None)
    if names is None:
        # kept with the person's permissions: from the shared cache, dropped by any change
        # of their groups (portal/accounts/permissions.py)
        from portal.accounts.permissions import cached_for_user

        names = set(
            cached_for_user(
                user, "roles", lambda: frozenset(user.groups.values_list("name", flat=True))
            )
        )
        user._role_names = names
    return bool(names.intersection(roles))


def is_subdistrict_admin(user):
    return user.is_authenticated and (user.is_superuser or has_role(user, SUBDISTRICT_ADMIN))

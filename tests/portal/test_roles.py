from django.contrib.auth.models import Group

from portal import roles
from portal.roles import sync_roles


def perms(role):
    return set(
        Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    )


def test_every_role_exists_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


def test_staff_roles_reach_the_admin_and_public_roles_do_not(db):
    for role in roles.STAFF_ROLES:
        assert ("wagtailadmin", "access_admin") in perms(role), role
    for role in (roles.VOLUNTEER, roles.DONOR_REP):
        assert ("wagtailadmin", "access_admin") not in perms(role), role


def test_subdistrict_admin_manages_the_place_directory(db):
    granted = perms(roles.SUBDISTRICT_ADMIN)
    for model in ("community", "compound", "post", "staffmembership"):
        assert ("portal", f"change_{model}") in granted


def test_sync_restores_permissions_removed_by_hand(db):
    group = Group.objects.get(name=roles.COORDINATOR)
    group.permissions.clear()
    sync_roles()
    assert ("wagtailadmin", "access_admin") in perms(roles.COORDINATOR)

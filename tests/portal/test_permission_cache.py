"""A person's permissions come from the shared cache, not from two queries on each request
(portal/accounts/permissions.py, issue 13 point 2), and a change of roles counts at once."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import roles
from portal.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def permission_queries(queries):
    return [q["sql"] for q in queries if "auth_permission" in q["sql"]]


def fresh(user):
    """The user as the next request loads it (nothing kept on the object)."""
    return User.objects.get(pk=user.pk)


def test_a_second_request_asks_the_database_nothing_about_permissions(client, coordinator):
    client.force_login(coordinator)
    client.get("/volunteers/shifts/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/volunteers/shifts/").status_code == 200
    assert permission_queries(queries) == []


def test_the_cached_set_is_what_django_computes(coordinator, subdistrict_admin):
    from django.contrib.auth.backends import ModelBackend

    for user in (coordinator, subdistrict_admin):
        expected = ModelBackend().get_all_permissions(fresh(user))
        fresh(user).has_perm(roles.ADMIN_ACCESS)  # stored
        assert fresh(user).get_all_permissions() == expected
        assert roles.ADMIN_ACCESS in expected


def test_a_role_taken_away_counts_from_the_next_request(coordinator):
    assert fresh(coordinator).has_perm(roles.ADMIN_ACCESS)
    coordinator.groups.remove(Group.objects.get(name=roles.COORDINATOR))
    assert not fresh(coordinator).has_perm(roles.ADMIN_ACCESS)
    with CaptureQueriesContext(connection) as queries:
        assert not fresh(coordinator).has_perm(roles.ADMIN_ACCESS)
    assert permission_queries(queries) == []  # the new answer is cached in turn


def test_a_role_given_counts_from_the_next_request(db):
    user = make_user(username="later-staff")
    assert not fresh(user).has_perm(roles.ADMIN_ACCESS)
    Group.objects.get(name=roles.EDITOR).user_set.add(user)  # from the group's side
    assert fresh(user).has_perm(roles.ADMIN_ACCESS)


def test_roles_come_from_the_cache_and_a_change_counts_from_the_next_request(coordinator):
    """has_role (who is a coordinator, a volunteer...) is kept with the permissions: asked
    again by the next request, it costs no query, and a role taken away or given, from either
    side of the membership, counts at once."""
    assert roles.has_role(fresh(coordinator), roles.COORDINATOR)
    with CaptureQueriesContext(connection) as queries:
        assert roles.has_role(fresh(coordinator), roles.COORDINATOR)
    assert [q["sql"] for q in queries if "auth_group" in q["sql"]] == []
    coordinator.groups.remove(Group.objects.get(name=roles.COORDINATOR))
    assert not roles.has_role(fresh(coordinator), roles.COORDINATOR)
    Group.objects.get(name=roles.EDITOR).user_set.add(coordinator)
    assert roles.has_role(fresh(coordinator), roles.EDITOR)


def test_a_groups_permissions_changed_count_for_its_members(coordinator):
    perm = Permission.objects.get(codename="delete_community", content_type__app_label="portal")
    assert not fresh(coordinator).has_perm("portal.delete_community")
    Group.objects.get(name=roles.COORDINATOR).permissions.add(perm)
    assert fresh(coordinator).has_perm("portal.delete_community")


def test_a_users_own_permission_and_superuser_status_count_at_once(db):
    user = make_user(username="plain")
    assert not fresh(user).has_perm("portal.view_community")
    user.user_permissions.add(
        Permission.objects.get(codename="view_community", content_type__app_label="portal")
    )
    assert fresh(user).has_perm("portal.view_community")
    User.objects.filter(pk=user.pk).update(is_superuser=True)  # no signal: the key differs
    assert fresh(user).has_perm("portal.delete_community")


def test_a_deactivated_account_has_no_permissions(coordinator):
    assert fresh(coordinator).has_perm(roles.ADMIN_ACCESS)
    User.objects.filter(pk=coordinator.pk).update(is_active=False)
    assert not fresh(coordinator).has_perm(roles.ADMIN_ACCESS)


def test_a_deleted_group_takes_its_permissions_with_it(db):
    group = Group.objects.create(name="临时")
    group.permissions.add(
        Permission.objects.get(codename="view_community", content_type__app_label="portal")
    )
    user = make_user(username="temp")
    user.groups.add(group)
    assert fresh(user).has_perm("portal.view_community")
    group.delete()
    assert not fresh(user).has_perm("portal.view_community")


def test_the_backend_logs_nobody_in(coordinator):
    from django.contrib.auth import authenticate

    from portal.accounts.permissions import CachedPermissionsBackend

    assert CachedPermissionsBackend().authenticate(None, username="coord") is None
    user = authenticate(None, username="coord", password="pass-1234-word")
    assert user == coordinator
    assert user.backend != "portal.accounts.permissions.CachedPermissionsBackend"

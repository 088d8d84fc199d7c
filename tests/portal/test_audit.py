"""The audit trail (portal.audit): what an event holds and where it goes, that it cannot be
changed, role and permission changes, the scoped back-office screen, Wagtail's site history
scoped like every other listing, and a back-office download nobody recorded."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from portal import audit, roles
from portal.models import AuditEvent, StaffMembership
from portal.models.audit import AuditTrailError
from tests.factories import VolunteerProfileFactory, make_user

TRAIL_URL = "/admin/reports/audit-trail/"
SITE_HISTORY_URL = "/admin/reports/site-history/"


@pytest.fixture
def profile(community):
    return VolunteerProfileFactory(real_name="李秀英", community=community)


@pytest.fixture
def other_profile(other_community):
    return VolunteerProfileFactory(real_name="赵德胜", community=other_community)


def _request(user, **meta):
    request = RequestFactory().get("/admin/somewhere/", **meta)
    request.user = user
    return request


def test_an_event_holds_who_what_when_where_and_the_community(settings, coordinator, profile):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = _request(
        coordinator,
        REMOTE_ADDR="10.0.0.2",  # the reverse proxy
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) MicroMessenger",
    )
    before = timezone.now()
    event = audit.record("volunteers.verify", request=request, obj=profile, note="checked")
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.user == coordinator and event.timestamp >= before
    assert event.action == "volunteers.verify"
    assert (event.object_type, event.object_id) == ("volunteers.volunteerprofile", str(profile.pk))
    assert event.details == {"note": "checked"}
    assert event.ip_address == "203.0.113.7"  # the visitor's, not the proxy's
    assert event.user_agent.startswith("Mozilla/5.0") and event.path == "/admin/somewhere/"
    assert list(event.communities.values_list("pk", flat=True)) == [profile.community_id]
    # Nothing personal in the event itself: the name lives on the profile only.
    assert "李秀英" not in f"{event.description}{event.details}"


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(settings, coordinator):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = _request(coordinator, REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert audit.record(EXPORT := audit.EXPORT, request=request).ip_address == "198.51.100.4"
    assert AuditEvent.objects.get(action=EXPORT).communities.count() == 0


def test_an_event_about_a_record_is_in_its_wagtail_history(subdistrict_admin, profile):
    event = audit.record("volunteers.verify", user=subdistrict_admin, obj=profile)
    entry = ModelLogEntry.objects.get(action="volunteers.verify", object_id=str(profile.pk))
    assert entry.user_id == subdistrict_admin.pk and entry.data["audit_event"] == event.pk
    assert "李秀英" not in entry.label
    # An action another part has not labelled yet is still stored and shown in the history.
    audit.record("volunteers.something_new", user=subdistrict_admin, obj=profile)
    entry = ModelLogEntry.objects.get(action=audit.GENERIC_WAGTAIL_ACTION)
    assert entry.message.lower().endswith("volunteers.something_new")


def test_the_trail_is_append_only(coordinator, profile):
    event = audit.record("volunteers.verify", user=coordinator, obj=profile)
    event.action = "volunteers.reject"
    with pytest.raises(AuditTrailError):
        event.save()
    with pytest.raises(AuditTrailError):
        event.delete()
    with pytest.raises(AuditTrailError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditTrailError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "volunteers.verify"
    # Nobody, not even a subdistrict admin, holds a permission to add, change or delete one,
    # and the screen has no view that would.
    codenames = set(
        Permission.objects.filter(content_type__model="auditevent").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_auditevent"}
    for name in ("add", "edit", "delete", "copy", "history"):
        with pytest.raises(NoReverseMatch):
            reverse(f"audit_trail:{name}", args=[event.pk] if name != "add" else [])


def test_old_events_are_pruned_after_the_retention_period(settings, coordinator, profile):
    settings.AUDIT_RETENTION_DAYS = 30
    old = audit.record("volunteers.verify", user=coordinator, obj=profile)
    recent = audit.record("volunteers.reject", user=coordinator, obj=profile)
    # Back-date one event the way only a test may (the queryset refuses updates).
    from django.db.models import QuerySet

    QuerySet.update(
        AuditEvent.objects.filter(pk=old.pk), timestamp=timezone.now() - timedelta(days=31)
    )
    call_command("prune_audit_trail", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


# --- Role and permission changes -------------------------------------------------------------


def test_role_changes_in_the_user_admin_are_recorded(client, subdistrict_admin, community):
    person = make_user(username="wangfang", first_name="芳", last_name="王")
    client.force_login(subdistrict_admin)
    coordinator_group = Group.objects.get(name=roles.COORDINATOR)
    response = client.post(
        f"/admin/users/edit/{person.pk}/",
        {
            "username": person.username,
            "phone": person.phone,
            "email": person.email,
            "last_name": "王",
            "first_name": "芳",
            "language": "zh-hans",
            "password1": "",
            "password2": "",
            "is_active": "on",
            "groups": [coordinator_group.pk],
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="accounts.roles.change", object_id=str(person.pk))
    assert event.user == subdistrict_admin and event.details == {"added": [roles.COORDINATOR]}

    # From the other side of the relation (Wagtail's "assign role" bulk action does this).
    editors = Group.objects.get(name=roles.EDITOR)
    request = _request(subdistrict_admin)
    token = audit._current_request.set(request)
    try:
        editors.user_set.add(person)
        person.groups.remove(coordinator_group)
        person.is_superuser = True
        person.save()
    finally:
        audit._current_request.reset(token)
    # (the admin base also records the edit itself, as admin.portal.user.edit)
    changes = (
        AuditEvent.objects.filter(object_id=str(person.pk))
        .exclude(action__startswith="admin.")
        .order_by("pk")
    )
    assert [(e.action, e.details) for e in changes][1:] == [
        ("accounts.roles.change", {"added": [roles.EDITOR]}),
        ("accounts.roles.change", {"removed": [roles.COORDINATOR]}),
        ("accounts.status.change", {"is_superuser": [False, True]}),
    ]
    assert all(e.user == subdistrict_admin for e in changes)


def test_permission_changes_of_a_role_are_recorded_when_a_person_makes_them(subdistrict_admin):
    group = Group.objects.get(name=roles.COORDINATOR)
    permission = Permission.objects.get(codename="delete_volunteerprofile")
    roles.sync_roles()  # code keeping the groups equal to <app>/roles.py: not an event
    assert not AuditEvent.objects.filter(action="accounts.role_permissions.change").exists()
    token = audit._current_request.set(_request(subdistrict_admin))
    try:
        group.permissions.add(permission)
    finally:
        audit._current_request.reset(token)
    event = AuditEvent.objects.get(action="accounts.role_permissions.change")
    assert event.details == {"added": ["volunteers.delete_volunteerprofile"]}
    assert event.user == subdistrict_admin and event.object_id == str(group.pk)


def test_community_staff_memberships_added_and_removed_are_recorded(
    client, subdistrict_admin, community
):
    person = make_user(roles.COORDINATOR, username="newcoord")
    client.force_login(subdistrict_admin)
    response = client.post(
        "/admin/places/memberships/new/", {"user": person.pk, "community": community.pk}
    )
    assert response.status_code == 302
    membership = StaffMembership.objects.get(user=person)
    added = AuditEvent.objects.get(action="accounts.membership.add")
    assert added.user == subdistrict_admin and added.object_id == str(person.pk)
    assert list(added.communities.all()) == [community]
    response = client.post(f"/admin/places/memberships/delete/{membership.pk}/")
    assert response.status_code == 302
    removed = AuditEvent.objects.get(action="accounts.membership.remove")
    assert removed.details == {"community": community.pk}
    assert list(removed.communities.all()) == [community]


# --- The audit screen --------------------------------------------------------------------------


@pytest.fixture
def events(coordinator, other_coordinator, subdistrict_admin, profile, other_profile):
    return {
        "mine": audit.record("volunteers.verify", user=coordinator, obj=profile),
        "theirs": audit.record("volunteers.reject", user=other_coordinator, obj=other_profile),
        "export": audit.record(audit.EXPORT, user=subdistrict_admin, description="全部志愿者"),
    }


def _listed(client, query=""):
    response = client.get(TRAIL_URL + query)
    assert response.status_code == 200
    return {event.pk for event in response.context["object_list"]}


def test_the_audit_screen_is_scoped_to_the_coordinators_communities(
    client, coordinator, subdistrict_admin, community, events
):
    ours = {e.pk for e in events.values()}
    client.force_login(subdistrict_admin)
    assert _listed(client) >= ours
    client.force_login(coordinator)
    listed = _listed(client)
    assert listed & ours == {events["mine"].pk}
    # Everything else listed is about the coordinator's own community too (their membership).
    for event in AuditEvent.objects.filter(pk__in=listed):
        assert list(event.communities.all()) == [community]
    assert client.get(f"{TRAIL_URL}inspect/{events['mine'].pk}/").status_code == 200
    assert client.get(f"{TRAIL_URL}inspect/{events['theirs'].pk}/").status_code == 404
    assert client.get(f"{TRAIL_URL}inspect/{events['export'].pk}/").status_code == 404


def test_the_audit_screen_filters_by_action_user_and_date(
    client, subdistrict_admin, other_coordinator, events
):
    client.force_login(subdistrict_admin)
    assert _listed(client, "?action=volunteers.reject") == {events["theirs"].pk}
    assert _listed(client, f"?user={other_coordinator.pk}") == {events["theirs"].pk}
    today = timezone.localdate()
    assert _listed(client, f"?timestamp_from={today}&timestamp_to={today}") >= {
        e.pk for e in events.values()
    }
    tomorrow = today + timedelta(days=1)
    assert _listed(client, f"?timestamp_from={tomorrow}") == set()


def test_the_audit_screen_is_for_staff_who_may_view_it(client, profile, events):
    volunteer = profile.user
    client.force_login(volunteer)
    assert client.get(TRAIL_URL).status_code in (302, 403)


# --- Site history, scoped ----------------------------------------------------------------------


def test_site_history_shows_a_coordinator_only_their_own_communitys_records(
    client, coordinator, subdistrict_admin, profile, other_profile
):
    log(profile, "wagtail.edit", user=subdistrict_admin)
    log(other_profile, "wagtail.edit", user=subdistrict_admin)
    client.force_login(coordinator)
    page = client.get(SITE_HISTORY_URL).content.decode()
    assert "李秀英" in page and "赵德胜" not in page
    results = client.get(SITE_HISTORY_URL + "results/").content.decode()
    assert "李秀英" in results and "赵德胜" not in results
    export = client.get(SITE_HISTORY_URL + "?export=csv")
    assert "赵德胜" not in b"".join(export.streaming_content or [export.content]).decode()
    client.force_login(subdistrict_admin)
    page = client.get(SITE_HISTORY_URL).content.decode()
    assert "李秀英" in page and "赵德胜" in page


def test_a_back_office_download_nobody_recorded_is_recorded(client, subdistrict_admin, profile):
    log(profile, "wagtail.edit", user=subdistrict_admin)
    client.force_login(subdistrict_admin)
    response = client.get(SITE_HISTORY_URL + "?export=xlsx")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=audit.EXPORT)
    assert event.user == subdistrict_admin and event.path == SITE_HISTORY_URL
    assert event.description.startswith("audit-log-") and event.details["query"] == "export=xlsx"


# --- The log line ------------------------------------------------------------------------------


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def audit_log():
    handler = ListHandler()
    logger = logging.getLogger("portal.audit")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_every_event_also_goes_to_the_log(coordinator, profile, audit_log):
    event = audit.record("volunteers.verify", user=coordinator, obj=profile)
    (line,) = audit_log
    assert line.audit_event == event.pk and line.audit_action == "volunteers.verify"
    assert line.audit_user == coordinator.pk
    assert line.audit_object == f"volunteers.volunteerprofile:{profile.pk}"
    assert line.audit_communities == [profile.community_id]


def test_an_event_outlives_the_account_that_made_it(client, subdistrict_admin, profile):
    person = make_user(roles.COORDINATOR, username="leaver")
    event = audit.record("volunteers.verify", user=person, obj=profile)
    person_id = person.pk
    person.delete()
    client.force_login(subdistrict_admin)
    page = client.get(f"{TRAIL_URL}inspect/{event.pk}/")
    assert page.status_code == 200
    assert f"已删除的用户 #{person_id}" in page.content.decode()
    assert event.pk in _listed(client)

"""Nothing is destroyed from the back office (issue 10, point 2).

Walks every viewset registered with Wagtail, so a new screen cannot be forgotten: each one on a
project model is on the one base (portal.admin), has no delete URL, link or button unless it
says so, and a coordinator's or subdistrict admin's POST to where the delete view would be
leaves the record alone. Below the admin, the database refuses to delete the records people and
stock depend on (hours, ledger movements, lots, pledges, help requests)."""

import datetime
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import ProtectedError
from django.urls import resolve
from django.utils import timezone
from wagtail.admin.viewsets import viewsets

from assistance import services as assistance_services
from assistance.models import HelpRequest, HelpRequestLine
from donations import services as donations
from donations.models import (
    CommunityReceiptLine,
    Distribution,
    DistributionLine,
    Donor,
    Item,
    Location,
    Lot,
    Movement,
    Pledge,
    PledgeLine,
    Receipt,
    ReceivingLine,
    SupplyRequest,
    SupplyRequestLine,
)
from portal import roles
from portal.admin import ScopedViewSetMixin
from portal.models import AuditEvent, StaffMembership, Subdistrict
from tests.factories import (
    DonorFactory,
    ShiftFactory,
    SkillFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers import services as volunteering
from volunteers.models import (
    Attendance,
    AttendanceCorrection,
    Certificate,
    Shift,
    Signup,
    Task,
    VolunteerProfile,
)

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"portal", "volunteers", "donations", "assistance", "content"}
# The only records a back-office user may delete: nothing hangs on them.
DELETABLE = {StaffMembership}


def registered_viewsets():
    import wagtail.admin.urls  # noqa: F401 - populates the registry, as the admin's URLconf does

    found = []
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if isinstance(model, str):
            model = apps.get_model(model)
        if model is not None:
            found.append((viewset, model))
    return found


def project_viewsets():
    return [vs for vs, model in registered_viewsets() if model._meta.app_label in PROJECT_APPS]


def test_every_project_viewset_is_on_the_one_base():
    found = project_viewsets()
    assert len(found) >= 22  # places, volunteering, donations and the user accounts
    for viewset in found:
        assert isinstance(viewset, ScopedViewSetMixin), type(viewset)


def test_no_viewset_has_a_delete_url_unless_its_model_may_be_deleted():
    for viewset in project_viewsets():
        names = {pattern.name for pattern in viewset.get_urlpatterns()}
        allowed = viewset.model in DELETABLE
        assert viewset.delete_allowed is allowed, type(viewset)
        assert ("delete" in names) is allowed, type(viewset)
        assert "copy" not in names, type(viewset)  # a copy would skip the create service
        if not allowed:  # the admin's URLconf has nothing there but its catch-all 404 page
            match = resolve(f"/admin/{viewset.url_prefix}/delete/1/")
            assert match.namespace != viewset.url_namespace, type(viewset)


# --- Through the admin client ---------------------------------------------------------------


@pytest.fixture
def world(community, compound, post, coordinator, subdistrict_admin):
    """One record of every model a viewset shows, in the coordinator's community, made by the
    services the way the portal makes them."""
    from donations.services import safety_stock
    from donations.services import stocktake as stocktakes

    keeper = make_user(roles.WAREHOUSE, username="keeper")
    warehouse = Location.objects.create(name="街道物资仓库", kind=Location.Kind.WAREHOUSE)
    masks = Item.objects.create(name="医用外科口罩", category=Item.Category.MASKS, unit="只")
    donor = DonorFactory(name="依文集团")
    pledge = donations.pledge(
        donor,
        [{"item": masks, "quantity": 100, "lot_number": "M-1", "expiry": _in_days(90)}],
        user=keeper,
    )
    receipt = donations.receive(
        pledge,
        warehouse,
        [{"pledge_line": pledge.lines.get(), "accepted": 100}],
        user=keeper,
    )
    supply_request = donations.request_supplies(
        community, [(masks, 10)], purpose="卡口", user=coordinator
    )
    dispatch = donations.dispatch(
        donations.allocate(supply_request.lines.get(), user=keeper), user=keeper
    )
    distribution = donations.distribute(
        community,
        warehouse,
        [(masks, 5)],
        recipient=Distribution.Recipient.POST,
        post=post,
        user=keeper,
    )

    volunteer = VolunteerProfileFactory(community=community, compound=compound)
    task = TaskFactory(community=community, compound=compound, post=post, title="北门值守")
    start = timezone.now() - timedelta(days=1)
    shift = ShiftFactory(task=task, start=start, end=start + timedelta(hours=4), places=2)
    signup = Signup.objects.create(shift=shift, profile=volunteer)
    Shift.objects.filter(pk=shift.pk).update(taken=1)
    attendance = volunteering.confirm_attendance(signup, coordinator)
    template = volunteering.create_template(
        task=task,
        weekdays=[0],
        time_ranges=[["07:00", "12:00"]],
        places=2,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=7),
        by=coordinator,
    )
    from volunteers.models import Project, ProjectMembership
    from volunteers.services import teams as team_services

    team = team_services.create_team(name="民岳家园服务队", community=community, by=coordinator)
    project = Project.objects.create(
        title="民岳家园卡口值守",
        community=community,
        team=team,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=27),
        status=Project.Status.PUBLISHED,
    )
    records = [
        team,
        team_services.request_to_join(volunteer, team),
        project,
        ProjectMembership.objects.create(project=project, profile=volunteer),
        volunteer.user or make_user(roles.VOLUNTEER, username="someone"),
        Subdistrict.objects.get(),
        community,
        compound,
        post,
        StaffMembership.objects.get(user=coordinator),
        volunteer,
        task,
        template,
        shift,
        attendance,
        SkillFactory(),
        donor,
        masks,
        warehouse,
        pledge,
        receipt,
        Lot.objects.get().balances.get(location=warehouse),
        Movement.objects.first(),
        supply_request,
        dispatch,
        distribution,
        safety_stock.set_level(community, masks, 5, user=coordinator),
        stocktakes.start_stocktake(warehouse, user=keeper),
        donations.create_need(
            coordinator,
            community=community,
            item=masks,
            quantity=100,
            urgency=1,
            needed_by=_in_days(5),
            purpose="卡口值守",
        ),
        AuditEvent.objects.filter(communities=community).first(),  # confirming attendance
    ]
    return {type(record): record for record in records}


def _in_days(n):
    return datetime.date.today() + datetime.timedelta(days=n)


def delete_links(html, viewset):
    return re.findall(rf"/admin/{re.escape(viewset.url_prefix)}/delete/\d+/", html)


@pytest.mark.parametrize("who", ["coordinator", "subdistrict_admin"])
def test_no_delete_link_button_or_view_for_staff(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    checked = 0
    for viewset in project_viewsets():
        record = world.get(viewset.model)
        assert record is not None, f"add a {viewset.model.__name__} to the world fixture"
        if viewset.delete_allowed:
            continue
        index = client.get(f"/admin/{viewset.url_prefix}/")
        assert index.status_code in (200, 302), viewset.url_prefix
        if index.status_code == 200:
            assert not delete_links(index.content.decode(), viewset), viewset.url_prefix
            checked += 1
        for page in ("edit", "inspect"):
            response = client.get(f"/admin/{viewset.url_prefix}/{page}/{record.pk}/")
            if response.status_code == 200:
                html = response.content.decode()
                assert not delete_links(html, viewset), (viewset.url_prefix, page)
        response = client.post(f"/admin/{viewset.url_prefix}/delete/{record.pk}/")
        assert response.status_code == 404, viewset.url_prefix
        assert type(record)._default_manager.filter(pk=record.pk).exists(), viewset.url_prefix
    assert checked >= 10


def test_the_one_deletable_record_can_be_deleted_by_the_subdistrict_admin(
    client, world, subdistrict_admin, coordinator
):
    membership = world[StaffMembership]
    client.force_login(coordinator)
    client.post(f"/admin/places/memberships/delete/{membership.pk}/")
    assert StaffMembership.objects.filter(pk=membership.pk).exists()
    client.force_login(subdistrict_admin)
    html = client.get("/admin/places/memberships/").content.decode()
    assert f"/admin/places/memberships/delete/{membership.pk}/" in html
    client.post(f"/admin/places/memberships/delete/{membership.pk}/")
    assert not StaffMembership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("superuser", [False, True])
def test_accounts_are_not_bulk_deleted_either(client, world, subdistrict_admin, superuser):
    someone = world[get_user_model()]
    if superuser:
        subdistrict_admin.is_superuser = True
        subdistrict_admin.save()
    client.force_login(subdistrict_admin)
    response = client.post(f"/admin/bulk/portal/user/delete/?id={someone.pk}")
    assert response.status_code in (302, 403)
    assert get_user_model().objects.filter(pk=someone.pk).exists()


def test_attendance_changes_only_through_a_correction(client, world, coordinator):
    attendance = world[Attendance]
    client.force_login(coordinator)
    url = f"/admin/volunteers_attendance/edit/{attendance.pk}/"
    assert client.post(url, {"source": "qr"}).status_code == 404
    client.post(
        f"/admin/volunteering/attendance/{attendance.pk}/correct/",
        {
            "check_in_at": timezone.localtime(attendance.check_in_at).strftime("%Y-%m-%dT%H:%M"),
            "check_out_at": timezone.localtime(
                attendance.check_in_at + timedelta(hours=1)
            ).strftime("%Y-%m-%dT%H:%M"),
            "reason": "提前离岗",
        },
    )
    attendance.refresh_from_db()
    assert attendance.minutes == 60
    assert attendance.corrections.get().reason == "提前离岗"


def test_a_shift_with_people_is_cancelled_not_moved_or_deleted(client, world, coordinator):
    shift = ShiftFactory(task=world[Task], places=2)
    signup = volunteering.sign_up(VolunteerProfileFactory(community=world[Task].community), shift)
    client.force_login(coordinator)
    later = timezone.localtime(shift.start + timedelta(hours=3))
    response = client.post(
        f"/admin/volunteers_shifts/edit/{shift.pk}/",
        {
            "task": shift.task_id,
            "start": later.strftime("%Y-%m-%d %H:%M"),
            "end": (later + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
            "places": 2,
        },
    )
    assert response.status_code == 200
    assert "另建新班次" in response.content.decode()
    moved = Shift.objects.get(pk=shift.pk)
    assert (moved.start, moved.end) == (shift.start, shift.end)
    # Fewer places than people on it: refused by the service, not a database error.
    response = client.post(
        f"/admin/volunteers_shifts/edit/{shift.pk}/",
        {
            "task": shift.task_id,
            "start": timezone.localtime(shift.start).strftime("%Y-%m-%d %H:%M"),
            "end": timezone.localtime(shift.end).strftime("%Y-%m-%d %H:%M"),
            "places": 0,
        },
    )
    assert response.status_code == 200
    assert Shift.objects.get(pk=shift.pk).places == 2
    # Cancelling goes through the service: the person is told, the sign-up is kept.
    client.post(
        f"/admin/volunteering/shifts/{shift.pk}/people/", {"action": "cancel", "reason": "降温"}
    )
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED
    assert Shift.objects.get(pk=shift.pk).cancelled_at is not None


def test_shift_created_in_the_admin_goes_through_the_service(client, world, coordinator):
    client.force_login(coordinator)
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = client.post(
        "/admin/volunteers_shifts/new/",
        {
            "task": world[Task].pk,
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "end": (start + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
            "places": 0,  # the form takes any positive small integer; create_shift does not
        },
    )
    assert response.status_code == 200
    assert "至少需要一人" in response.content.decode()
    before = Shift.objects.count()
    assert not Shift.objects.filter(start=start).exists()
    response = client.post(
        "/admin/volunteers_shifts/new/",
        {
            "task": world[Task].pk,
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "end": (start + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
            "places": 2,
        },
    )
    assert response.status_code == 302
    assert Shift.objects.count() == before + 1 and Shift.objects.filter(start=start).exists()


def test_profile_edited_in_the_admin_goes_through_update_profile(
    client, world, coordinator, monkeypatch
):
    profile = world[VolunteerProfile]
    events = []
    monkeypatch.setattr(
        "portal.audit.record", lambda action, **kwargs: events.append((action, kwargs))
    )
    client.force_login(coordinator)
    response = client.post(
        f"/admin/volunteers_profiles/edit/{profile.pk}/",
        {
            "real_name": profile.real_name,
            "mobile": profile.mobile,
            "compound": profile.compound_id,
            "work_unit": "北京某单位",  # update_profile keeps a work unit only for party members
            "emergency_contact_name": "",
            "emergency_contact_phone": "",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.work_unit == "" and not profile.is_party_member
    [(action, details)] = [e for e in events if e[0].startswith("admin.")]
    assert action == "admin.volunteers.volunteerprofile.edit"
    assert details["obj"] == profile and details["request"].user == coordinator
    assert "work_unit" in details["fields"]


# --- In the database ------------------------------------------------------------------------

# Records that people or stock depend on, and the one link of theirs that may be nulled.
PROTECTED = [
    Shift,
    Signup,
    Attendance,
    AttendanceCorrection,
    Certificate,
    Pledge,
    PledgeLine,
    Receipt,
    ReceivingLine,
    Lot,
    Movement,
    SupplyRequestLine,
    CommunityReceiptLine,
    Distribution,
    DistributionLine,
    HelpRequest,
    HelpRequestLine,
]
# A shift outlives its template (it only forgets which template made it).
MAY_BE_NULLED = {(Shift, "template")}


def test_protected_records_hang_on_their_parents_with_protect():
    for model in PROTECTED:
        for field in model._meta.get_fields():
            if not (
                field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)
            ):
                continue
            if field.related_model._meta.label == settings.AUTH_USER_MODEL:
                continue  # an account may go; who did what stays as "unknown"
            if (model, field.name) in MAY_BE_NULLED:
                assert field.remote_field.on_delete is models.SET_NULL
                continue
            assert field.remote_field.on_delete is models.PROTECT, f"{model.__name__}.{field.name}"


def _refused(obj):
    with pytest.raises(ProtectedError), transaction.atomic():
        obj.delete()
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


def test_the_database_refuses_to_delete_what_hours_hang_on(world, coordinator):
    attendance = world[Attendance]
    volunteering.correct_attendance(
        attendance, coordinator, attendance.check_in_at, attendance.check_out_at, "核对"
    )
    for record in (
        world[Task],
        world[Shift],
        attendance.signup,
        world[VolunteerProfile],
        attendance,
    ):
        _refused(record)
    assert AttendanceCorrection.objects.filter(attendance=attendance).exists()


def test_the_database_refuses_to_delete_pledges_lots_ledger_and_distributions(
    world, community, coordinator
):
    # Before anything arrives or is allocated, only their own lines hold them.
    waiting = donations.pledge(world[Donor], [{"item": world[Item], "quantity": 5}])
    requested = donations.request_supplies(
        community, [(world[Item], 3)], purpose="隔离户", user=coordinator
    )
    for record in (
        waiting,
        requested,
        world[Pledge],
        world[Pledge].lines.get(),
        world[Receipt],
        Lot.objects.get(),
        world[SupplyRequest],
        world[Distribution],
        world[Donor],
    ):
        _refused(record)
    assert PledgeLine.objects.filter(pledge=waiting).exists()
    assert SupplyRequestLine.objects.filter(request=requested).exists()
    assert DistributionLine.objects.exists()


def test_the_database_refuses_to_delete_help_requests_and_what_they_point_at(
    world, coordinator, compound
):
    shift = ShiftFactory(task=world[Task])
    help_request = assistance_services.record_request(
        community=compound.community,
        compound=compound,
        building="3号楼2单元",
        contact_phone="13911112222",
        lines=[(world[Item], 2)],
        by=coordinator,
    )
    HelpRequest.objects.filter(pk=help_request.pk).update(
        delivery_shift=shift,
        assigned_volunteer=world[VolunteerProfile],
    )
    # a hand-out from stock points at the request it fulfilled
    Distribution.objects.filter(pk=world[Distribution].pk).update(help_request=help_request)
    # The shift has nobody on it: only the help request's link holds it.
    for record in (help_request, shift):
        _refused(record)
    assert HelpRequestLine.objects.filter(request=help_request).exists()
    help_request.refresh_from_db()
    assert help_request.delivery_shift_id == shift.pk

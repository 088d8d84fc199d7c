"""Journey 2 in the back office, and scoping of every staff screen and export."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from portal import roles, tokens
from tests.factories import (
    ShiftFactory,
    SignupFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers import services, views
from volunteers.models import Attendance, Shift, ShiftTemplate, Signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed(volunteer, shift, community):
    """A shift with the volunteer on it and their attendance; a party member; a pending one."""
    signup = services.sign_up(volunteer, shift)
    attendance = Attendance.objects.create(
        signup=signup, check_in_at=shift.start, check_out_at=shift.end
    )
    pending = VolunteerProfileFactory(
        community=community, status="pending", real_name="孙待审", id_number="11010519491231002X"
    )
    template = ShiftTemplate.objects.create(
        task=shift.task,
        weekdays=[0],
        time_ranges=[["07:00", "12:00"]],
        places=2,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=7),
    )
    return {"signup": signup, "attendance": attendance, "pending": pending, "template": template}


def staff_urls(staffed, shift, post):
    signup, attendance = staffed["signup"], staffed["attendance"]
    return [
        f"/admin/volunteers_profiles/edit/{staffed['pending'].pk}/",
        f"/admin/volunteering/profiles/{staffed['pending'].pk}/review/",
        f"/admin/volunteers_tasks/edit/{shift.task.pk}/",
        f"/admin/volunteers_templates/edit/{staffed['template'].pk}/",
        f"/admin/volunteers_shifts/edit/{shift.pk}/",
        f"/admin/volunteering/shifts/{shift.pk}/people/",
        f"/admin/volunteering/attendance/{attendance.pk}/correct/",
        f"/admin/volunteering/posts/{post.pk}/qr/",
        f"/admin/volunteers_profiles/history/{signup.profile.pk}/",
    ]


def test_coordinator_reaches_every_screen_of_her_community(
    client, coordinator, staffed, shift, post
):
    client.force_login(coordinator)
    for url in staff_urls(staffed, shift, post) + [
        "/admin/volunteering/posts/",
        "/admin/volunteering/party-report/",
        "/admin/volunteering/duty-grid/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        # the browser tab and the screen reader name the screen, not just " - Wagtail"
        title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)
        assert not title.strip().startswith("-"), (url, title)
    for index in [
        "volunteers_profiles",
        "volunteers_tasks",
        "volunteers_templates",
        "volunteers_shifts",
        "volunteers_attendance",
    ]:
        assert client.get(f"/admin/{index}/").status_code == 200, index
    assert client.get("/admin/volunteering/posts/").status_code == 200
    assert client.get("/admin/volunteering/party-report/").status_code == 200


def test_other_communitys_coordinator_gets_404_everywhere(
    client, other_coordinator, staffed, shift, post
):
    client.force_login(other_coordinator)
    for url in staff_urls(staffed, shift, post):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/admin/volunteering/shifts/{shift.pk}/people/",
        {"action": "remove", "signup": staffed["signup"].pk},
    )
    assert response.status_code == 404
    assert Signup.objects.get(pk=staffed["signup"].pk).status == "confirmed"
    for index, hidden in [
        ("volunteers_profiles", "孙待审"),
        ("volunteers_shifts", "北门值守"),
        ("volunteers_attendance", "李晓红"),
        ("volunteers_tasks", "北门值守"),
    ]:
        html = client.get(f"/admin/{index}/").content.decode()
        assert hidden not in html, index
    assert "北门" not in client.get("/admin/volunteering/posts/").content.decode()


def test_volunteer_without_staff_role_is_kept_out(client, volunteer, staffed):
    client.force_login(volunteer.user)
    response = client.get(f"/admin/volunteering/profiles/{staffed['pending'].pk}/review/")
    assert response.status_code in (302, 403)


def test_review_masks_id_number_for_everyone_and_offers_full_view_to_the_permission_only(
    client, coordinator, subdistrict_admin, staffed
):
    url = f"/admin/volunteering/profiles/{staffed['pending'].pk}/review/"
    full_url = f"/admin/volunteering/profiles/{staffed['pending'].pk}/id-number/"
    client.force_login(coordinator)
    html = client.get(url).content.decode()
    assert "110***********002X" in html and "11010519491231002X" not in html
    assert full_url not in html
    client.force_login(subdistrict_admin)
    html = client.get(url).content.decode()
    assert "110***********002X" in html and "11010519491231002X" not in html
    assert full_url in html


def test_approve_and_reject_from_the_review_page(client, coordinator, staffed, community):
    pending = staffed["pending"]
    client.force_login(coordinator)
    client.post(f"/admin/volunteering/profiles/{pending.pk}/review/", {"action": "approve"})
    pending.refresh_from_db()
    assert pending.status == "verified"
    other = VolunteerProfileFactory(community=community, status="pending")
    response = client.post(
        f"/admin/volunteering/profiles/{other.pk}/review/", {"action": "reject", "reason": ""}
    )
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.status == "pending"
    client.post(
        f"/admin/volunteering/profiles/{other.pk}/review/",
        {"action": "reject", "reason": "信息不全"},
    )
    other.refresh_from_db()
    assert other.status == "rejected" and other.rejection_reason == "信息不全"


def test_each_decision_leads_to_the_next_person_waiting_in_her_community(
    client, coordinator, community, other_community
):
    first = VolunteerProfileFactory(community=community, status="pending")
    second = VolunteerProfileFactory(community=community, status="pending")
    VolunteerProfileFactory(community=other_community, status="pending")  # not hers
    client.force_login(coordinator)
    response = client.post(
        f"/admin/volunteering/profiles/{first.pk}/review/", {"action": "approve"}
    )
    assert response["Location"] == f"/admin/volunteering/profiles/{second.pk}/review/"
    response = client.post(
        f"/admin/volunteering/profiles/{second.pk}/review/",
        {"action": "reject", "reason": "信息不全"},
    )
    # nobody of hers is left waiting: back to the (empty) waiting list, not someone else's
    assert response["Location"] == "/admin/volunteers_profiles/?status=pending"


def test_remove_person_opens_the_place_again(client, coordinator, staffed, shift):
    client.force_login(coordinator)
    client.post(
        f"/admin/volunteering/signups/{staffed['signup'].pk}/remove/",
        {"why": "sick", "note": ""},
    )
    shift.refresh_from_db()
    assert shift.taken == 0
    assert Signup.objects.get(pk=staffed["signup"].pk).status == "cancelled"


def test_coordinator_creates_a_template_that_generates_shifts(
    client, coordinator, gate_task, other_task
):
    client.force_login(coordinator)
    today = timezone.localdate()
    data = {
        "task": gate_task.pk,
        "weekdays": ["0", "1", "2", "3", "4", "5", "6"],
        "time_ranges_text": "07:00-12:00\n12:00-19:00",
        "places": 2,
        "start_date": today + timedelta(days=1),
        "end_date": today + timedelta(days=2),
    }
    response = client.post("/admin/volunteers_templates/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Shift.objects.filter(task=gate_task).count() == 4
    # A task of another community is not a choice.
    response = client.post("/admin/volunteers_templates/new/", {**data, "task": other_task.pk})
    assert response.status_code == 200
    assert not Shift.objects.filter(task=other_task).exists()


def test_attendance_ledger_and_party_report_exports_are_scoped(
    client, coordinator, other_coordinator, staffed, shift, community
):
    member = VolunteerProfileFactory(
        community=community, is_party_member=True, work_unit="丰台区税务局", real_name="赵党员"
    )
    other_shift = ShiftFactory(
        task=shift.task, start=shift.end + timedelta(hours=1), end=shift.end + timedelta(hours=3)
    )
    signup = SignupFactory(shift=other_shift, profile=member)
    Attendance.objects.create(
        signup=signup, check_in_at=other_shift.start, check_out_at=other_shift.end
    )
    day = timezone.localtime(shift.start).date()
    first, last = services.month_bounds(day)
    period = {"start": first, "end": last}

    def sheet_text(response):
        book = load_workbook(io.BytesIO(response.content))
        return " ".join(str(c.value) for row in book.active.iter_rows() for c in row)

    client.force_login(coordinator)
    ledger = sheet_text(client.get("/admin/volunteering/export/attendance.xlsx", period))
    assert "李晓红" in ledger and "赵党员" in ledger
    report = sheet_text(
        client.get("/admin/volunteering/party-report/", {**period, "format": "xlsx"})
    )
    assert "丰台区税务局" in report and "赵党员" in report
    pdf = client.get("/admin/volunteering/party-report/", {**period, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert "赵党员" in client.get("/admin/volunteering/party-report/", period).content.decode()
    assert "李晓红" in sheet_text(client.get("/admin/volunteering/export/volunteers.xlsx"))

    client.force_login(other_coordinator)
    assert "李晓红" not in sheet_text(
        client.get("/admin/volunteering/export/attendance.xlsx", period)
    )
    assert "赵党员" not in sheet_text(
        client.get("/admin/volunteering/party-report/", {**period, "format": "xlsx"})
    )
    assert "李晓红" not in sheet_text(client.get("/admin/volunteering/export/volunteers.xlsx"))


def test_post_qr_page_links_to_a_signed_check_in(client, coordinator, post):
    client.force_login(coordinator)
    html = client.get(f"/admin/volunteering/posts/{post.pk}/qr/").content.decode()
    # Tokens carry the second they were signed in, so read the one on the page and verify it.
    token = re.search(r"/volunteers/checkin/([^/\"]+)/", html).group(1)
    assert tokens.verify(views.POST_SIGNING_KIND, token) == post.pk
    assert "<svg" in html


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("screen", ["open_shifts", "coordinator_shifts"])
def test_shift_lists_use_the_same_number_of_queries_for_10_and_500_shifts(
    client, coordinator, volunteer, gate_task, screen
):
    start = timezone.now() + timedelta(hours=3)

    def make(n):
        Shift.objects.bulk_create(
            [
                Shift(
                    task=gate_task,
                    start=start + timedelta(minutes=10 * i),
                    end=start + timedelta(minutes=10 * i, hours=1),
                    places=2,
                )
                for i in range(n)
            ]
        )

    user, url = (
        (volunteer.user, "/volunteers/shifts/")
        if screen == "open_shifts"
        else (coordinator, "/admin/volunteers_shifts/")
    )
    client.force_login(user)
    make(10)
    client.get(url)  # the first request fills the site-wide caches (navigation, site root)
    few = count_queries(client, url)
    make(490)
    many = count_queries(client, url)
    # the volunteer's list reads her compound, community and the rest tier by tier, only as far
    # as a page needs: more shifts can mean fewer tiers read, never more queries
    assert many <= few


def test_subdistrict_admin_sees_all_communities(client, subdistrict_admin, staffed, other_shift):
    client.force_login(subdistrict_admin)
    html = client.get("/admin/volunteers_shifts/").content.decode()
    assert "北门值守" in html and "南门值守" in html


def test_coordinator_role_has_volunteer_permissions(coordinator):
    assert coordinator.has_perm("volunteers.change_volunteerprofile")
    assert coordinator.has_perm("volunteers.add_shift")
    assert not coordinator.has_perm("volunteers.add_skill")
    keeper = make_user(roles.WAREHOUSE, username="keeper2")
    assert not keeper.has_perm("volunteers.view_volunteerprofile")


def test_invite_from_shift_people_page(client, coordinator, shift, community):
    candidate = VolunteerProfileFactory(community=community, real_name="周邀请")
    client.force_login(coordinator)
    html = client.get(f"/admin/volunteering/shifts/{shift.pk}/people/").content.decode()
    assert "周邀请" in html
    client.post(
        f"/admin/volunteering/shifts/{shift.pk}/people/",
        {"action": "invite", "profile": candidate.pk},
    )
    assert Signup.objects.get(profile=candidate).status == "invited"


def test_editing_a_template_in_the_admin_updates_its_future_shifts_in_place(
    client, coordinator, gate_task, volunteer
):
    today = timezone.localdate()
    template = ShiftTemplate.objects.create(
        task=gate_task,
        weekdays=list(range(7)),
        time_ranges=[["07:00", "12:00"]],
        places=2,
        start_date=today + timedelta(days=1),
        end_date=today + timedelta(days=2),
    )
    services.generate_from_template(template)
    staffed = template.shifts.order_by("start").first()
    services.sign_up(volunteer, staffed)
    client.force_login(coordinator)
    response = client.post(
        f"/admin/volunteers_templates/edit/{template.pk}/",
        {
            "task": gate_task.pk,
            "weekdays": [str(d) for d in range(7)],
            "time_ranges_text": "07:00-12:00",
            "places": 4,
            "start_date": template.start_date,
            "end_date": template.end_date,
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    # every shift follows the new number of places, in place (same ids, links keep working);
    # the staffed one keeps its people and its times
    assert sorted(template.shifts.values_list("places", flat=True)) == [4, 4]
    staffed.refresh_from_db()
    assert staffed.taken == 1 and staffed.places == 4 and staffed.template_id == template.pk


def test_the_dashboards_open_places_link_lists_only_shifts_with_a_free_place(
    client, coordinator, gate_task
):
    start = timezone.now() + timedelta(hours=5)
    open_shift = ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=2), places=2)
    full = ShiftFactory(task=gate_task, start=start + timedelta(hours=3), places=1)
    Shift.objects.filter(pk=full.pk).update(taken=1)
    client.force_login(coordinator)
    dashboard = client.get("/admin/").content.decode()
    link = re.search(r'href="(/admin/volunteers_shifts/\?[^"]*open_places=true)"', dashboard)
    html = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert f"/admin/volunteering/shifts/{open_shift.pk}/people/" in html
    assert f"/admin/volunteering/shifts/{full.pk}/people/" not in html
    # the range filter speaks Chinese, not django-filter's untranslated lookup names
    assert "开始时间 不早于" in html and "greater than" not in html

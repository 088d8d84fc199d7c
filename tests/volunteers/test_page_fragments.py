"""The volunteer's page is a fragment kept in the cache (portal.fragments): reused while
nothing it shows changes, dropped at once by whatever changes it - sign-ups, withdrawals,
attendance and its confirmation, waiting lists, messages - however the change is written
(a save, or the services' conditional updates). Forms in it carry the serving request's own
CSRF token."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import fragments, roles
from tests.factories import ShiftFactory, VolunteerProfileFactory, make_user
from volunteers import services
from volunteers.models import Attendance, Signup, WaitlistEntry

pytestmark = pytest.mark.django_db

MY_PAGE = "/volunteers/me/"


@pytest.fixture
def signed_in(client, volunteer):
    client.force_login(volunteer.user)
    return client


def page(client):
    response = client.get(MY_PAGE)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_is_reused_while_nothing_changes(signed_in, volunteer, shift):
    services.sign_up(volunteer, shift)
    page(signed_in)
    with CaptureQueriesContext(connection) as warm:
        again = page(signed_in)
    assert "北门值守" in again
    # the session's user, her profile, and the recommendations' re-read: nothing else
    assert len(warm) <= 4, [q["sql"][:80] for q in warm.captured_queries]


def test_a_sign_up_shows_on_her_page_at_once(signed_in, volunteer, shift):
    assert "/withdraw/" not in page(signed_in)  # the page is now in the cache
    response = signed_in.post(f"/volunteers/shifts/{shift.pk}/sign-up/")
    assert response.status_code == 302
    assert Signup.objects.filter(profile=volunteer, shift=shift).exists()
    mine = page(signed_in)
    signup = Signup.objects.get(profile=volunteer, shift=shift)
    assert f"/volunteers/signups/{signup.pk}/withdraw/" in mine


def test_a_withdrawal_leaves_her_page_at_once(signed_in, volunteer, shift):
    signup = services.sign_up(volunteer, shift)
    assert f"/volunteers/signups/{signup.pk}/withdraw/" in page(signed_in)
    signed_in.post(f"/volunteers/signups/{signup.pk}/withdraw/")
    assert Signup.objects.get(pk=signup.pk).status == "withdrawn"
    assert f"/volunteers/signups/{signup.pk}/withdraw/" not in page(signed_in)


def test_confirmed_hours_show_at_once(signed_in, volunteer, gate_task, coordinator):
    """Confirming is a conditional update (no save signal): it still drops the fragment."""
    start = timezone.now() - timedelta(hours=6)
    past = ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=5))
    signup = Signup.objects.create(shift=past, profile=volunteer, status="confirmed")
    attendance = Attendance.objects.create(
        signup=signup, check_in_at=past.start, check_out_at=past.end, minutes=300
    )
    before = page(signed_in)
    assert ">0.0<" in before  # nothing confirmed in total yet
    from volunteers.services import hours

    assert hours.confirm([attendance.pk], coordinator) == 1
    after = page(signed_in)
    assert after.count(">5.0<") == 2  # this month and in total


def test_a_place_on_the_waiting_list_moves_up_when_someone_ahead_leaves(
    signed_in, volunteer, gate_task, community
):
    full = ShiftFactory(task=gate_task, places=1)
    services.sign_up(VolunteerProfileFactory(community=community, user=make_user()), full)
    ahead = VolunteerProfileFactory(community=community, user=make_user())
    first = services.join_waitlist(ahead, full)
    services.join_waitlist(volunteer, full)
    positions = re.findall(r"(?:第\s*|number\s*)(\d+)", page(signed_in))
    assert positions
    services.leave_waitlist(ahead, first)  # another volunteer's row
    assert WaitlistEntry.objects.get(pk=first.pk).status != "waiting"
    assert re.findall(r"(?:第\s*|number\s*)(\d+)", page(signed_in)) != positions


def test_a_message_shows_at_once(signed_in, volunteer, coordinator, community):
    from volunteers.services import messages as service

    page(signed_in)
    service.send_message(coordinator, f"community:{community.pk}", "请查看本周排班", channel="site")
    assert "请查看本周排班" in page(signed_in)


def test_another_volunteers_change_leaves_her_page_alone(signed_in, volunteer, shift, community):
    page(signed_in)
    before = fragments.versions(fragments.profile_version(volunteer.pk))
    other = VolunteerProfileFactory(community=community, user=make_user(roles.VOLUNTEER))
    services.sign_up(other, shift)
    assert fragments.versions(fragments.profile_version(volunteer.pk)) == before


def test_each_session_gets_its_own_valid_csrf_token(volunteer, shift):
    """The same cached page served to her phone and her PC: a withdrawal posted with either
    page's token passes the CSRF check."""
    signup = services.sign_up(volunteer, shift)
    phone, pc = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for client in (phone, pc):
        client.force_login(volunteer.user)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page(client))
        assert found and "\x00" not in found.group(1)
        tokens.append(found.group(1))
    response = pc.post(
        f"/volunteers/signups/{signup.pk}/withdraw/", {"csrfmiddlewaretoken": tokens[1]}
    )
    assert response.status_code == 302
    assert Signup.objects.get(pk=signup.pk).status == "withdrawn"


def test_a_version_lost_from_the_cache_never_brings_back_an_old_copy(settings):
    first = fragments.versions("x")
    from django.core.cache import cache

    cache.delete(fragments._version_key("x"))
    assert fragments.versions("x") != first


def test_her_shift_list_says_signed_up_at_once(signed_in, volunteer, shift):
    listing = signed_in.get("/volunteers/shifts/").content.decode()
    assert f"/volunteers/shifts/{shift.pk}/" in listing and "已报名" not in listing
    with CaptureQueriesContext(connection) as warm:
        signed_in.get("/volunteers/shifts/")
    assert len(warm) <= 3  # the session's user and her profile: the list is the fragment
    signed_in.post(f"/volunteers/shifts/{shift.pk}/sign-up/")
    assert "已报名" in signed_in.get("/volunteers/shifts/").content.decode()


def test_her_shift_list_is_kept_per_filter(signed_in, volunteer, shift, other_shift):
    day = shift.start.date().isoformat()
    everything = signed_in.get("/volunteers/shifts/").content.decode()
    that_day = signed_in.get(f"/volunteers/shifts/?date={day}").content.decode()
    assert everything != that_day
    assert f'value="{day}"' in that_day


def test_rows_made_in_bulk_move_their_volunteers_pages_a_batch_at_a_time(community):
    """Attendance reaches a volunteer through its sign-up: bulk-made rows are looked up in
    batches (SQLite took minutes over one `pk IN (...)` of 80,000 ids), and every volunteer
    of every batch has their page's version moved."""
    from volunteers.models.page_versions import touch_instances

    people = [VolunteerProfileFactory(community=community) for _ in range(5)]
    rows = [
        Attendance.objects.create(
            signup=Signup.objects.create(
                shift=ShiftFactory(), profile=person, status=Signup.Status.CONFIRMED
            ),
            check_in_at=timezone.now(),
        )
        for person in people
    ]

    def versions():
        return fragments.versions(*(fragments.profile_version(person.pk) for person in people))

    before = versions()
    with CaptureQueriesContext(connection) as queries:
        touch_instances(Attendance, rows, batch=2)
    assert len(queries) == 3  # 5 rows, 2 a query
    assert all(new != old for new, old in zip(versions(), before, strict=True))

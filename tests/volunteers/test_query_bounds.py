"""Signed-in pages run as many queries with three times the data (issue 13, point 2): the
volunteer's own page, the shift list, the donor's page and the coordinator's dashboard. The
data grows in what each page reads: shifts ahead and hours served behind, pledges received and
handed out, help requests and volunteers waiting. The shift list and the donor's page show a
page at a time without counting the whole list (portal/paging.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import roles
from tests.factories import (
    ShiftFactory,
    SignupFactory,
    SkillFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from tests.factories.donations import (
    DonorFactory,
    DonorRepresentativeFactory,
    PledgeFactory,
    PledgeLineFactory,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    """(queries with a cold cache, queries once warm): recommendations and figures are
    computed afresh, then reused."""
    counts = []
    for _ in ("cold", "warm"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts.append(len(queries))
    return counts


@pytest.fixture(autouse=True)
def cold_cache():
    """Counting starts with an empty cache; the session stays (on Redis it lives in the cache)."""
    from tests.cache import clear_this_runs_cache

    return lambda: clear_this_runs_cache(keep_sessions=True)


def add_shifts(community, compound, volunteer, n):
    """n open shifts over the next days in two communities, some the volunteer is on, and as
    many past ones she served at (her hours: one a week, weeks ago, so that what she may still
    take this week stays the same)."""
    from volunteers.models import Attendance

    task = TaskFactory(community=community, compound=compound)
    elsewhere = TaskFactory()
    start = timezone.now() + timedelta(hours=6)
    for index in range(n):
        when = start + timedelta(hours=7 * index)
        ShiftFactory(task=task if index % 2 else elsewhere, start=when)
        if index % 5 == 0:
            mine = ShiftFactory(task=task, start=when + timedelta(hours=3), places=3)
            SignupFactory(shift=mine, profile=volunteer)
        before = timezone.now() - timedelta(days=8 + 7 * index)
        served = ShiftFactory(task=task, start=before, end=before + timedelta(hours=4))
        signup = SignupFactory(shift=served, profile=volunteer)
        Attendance.objects.create(
            signup=signup,
            check_in_at=before,
            check_out_at=before + timedelta(hours=4),
            minutes=240,
            status=Attendance.Status.CONFIRMED,
        )


@pytest.fixture
def volunteer(community, compound):
    user = make_user(roles.VOLUNTEER, username="bounds-volunteer", phone="13712340000")
    return VolunteerProfileFactory(user=user, community=community, compound=compound)


@pytest.mark.parametrize("url", ["/volunteers/me/", "/volunteers/shifts/"])
def test_the_volunteers_pages_do_not_grow_with_shifts(
    client, volunteer, community, compound, url, cold_cache
):
    client.force_login(volunteer.user)
    add_shifts(community, compound, volunteer, 6)
    client.get(url)  # the first request after logging in writes to the session
    cold_cache()
    small = count_queries(client, url)
    add_shifts(community, compound, volunteer, 12)
    cold_cache()
    assert count_queries(client, url) == small


def received_pledges(donor, n, store, keeper):
    """n pledges of `donor`, each received at the warehouse and partly sent on to `store`."""
    from donations import services
    from donations.models import Lot
    from tests.factories.donations import ItemFactory, LocationFactory

    warehouse = LocationFactory()
    for _ in range(n):
        pledge = PledgeFactory(donor=donor)
        lines = [PledgeLineFactory(pledge=pledge, item=ItemFactory()) for _ in range(2)]
        services.receive(
            pledge,
            warehouse,
            [{"pledge_line": line, "accepted": line.quantity} for line in lines],
            user=keeper,
        )
        for lot in Lot.objects.filter(pledge_line__in=lines):
            services.transfer(lot, warehouse, store, 100, user=keeper)


@pytest.fixture
def donor_user():
    donor = DonorFactory(verified=True)
    user = make_user(username="bounds-donor", phone="13712340001")
    DonorRepresentativeFactory(donor=donor, user=user)
    return user


def test_the_donors_page_does_not_grow_with_pledges(
    client, donor_user, community, warehouse_keeper, cold_cache
):
    from donations.services.ledger import community_store

    donor = donor_user.donor_representations.get().donor
    store = community_store(community)
    client.force_login(donor_user)
    received_pledges(donor, 2, store, warehouse_keeper)
    client.get("/donations/mine/")
    cold_cache()
    small = count_queries(client, "/donations/mine/")
    received_pledges(donor, 6, store, warehouse_keeper)
    cold_cache()
    assert count_queries(client, "/donations/mine/") == small


def test_the_donors_page_shows_the_latest_pledges_a_page_at_a_time(client, donor_user, monkeypatch):
    from donations import views

    monkeypatch.setattr(views, "MINE_PER_PAGE", 3)
    donor = donor_user.donor_representations.get().donor
    pledges = [PledgeFactory(donor=donor) for _ in range(5)]
    client.force_login(donor_user)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/donations/mine/")
    # no count of the open shifts; the waiting lists of the page's own shifts (by their ids:
    # how many wait, her position) are counted, bounded by the page
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert all("volunteers_waitlistentry" in sql and " IN (" in sql for sql in counts)
    assert not [sql for sql in counts if 'FROM "volunteers_shift"' in sql]
    shown = [entry["pledge"] for entry in first.context["entries"][0][1]]
    assert shown == pledges[:-4:-1]  # the three latest, latest first
    html = first.content.decode()
    assert 'href="?page=2"' in html and 'href="?page=0"' not in html
    second = client.get("/donations/mine/?page=2")
    assert [entry["pledge"] for entry in second.context["entries"][0][1]] == pledges[1::-1]
    assert 'href="?page=1"' in second.content.decode()
    assert 'href="?page=3"' not in second.content.decode()
    for bad in ("0", "-1", "x", "99999999999"):
        response = client.get(f"/donations/mine/?page={bad}")
        assert response.status_code == 200
        assert response.context["entries"][0][2].number == 1
    beyond = client.get("/donations/mine/?page=7")
    assert beyond.status_code == 200 and not beyond.context["entries"][0][1]


def add_requests_and_applicants(community, compound, n):
    """n help requests (some urgent and waiting, some asking for goods) and n volunteers
    waiting to be confirmed in `community`."""
    from assistance.models import HelpRequest, HelpRequestLine
    from tests.factories.assistance import HelpRequestFactory
    from tests.factories.donations import ItemFactory

    item = ItemFactory()
    for index in range(n):
        request = HelpRequestFactory(
            compound=compound,
            urgency=HelpRequest.Urgency.URGENT if index % 2 else HelpRequest.Urgency.NORMAL,
        )
        HelpRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timedelta(hours=index + 1)
        )
        HelpRequestLine.objects.create(request=request, item=item, quantity=2)
        VolunteerProfileFactory(community=community, status="pending")


def test_the_coordinators_dashboard_does_not_grow_with_shifts(
    client, coordinator, volunteer, community, compound, cold_cache
):
    client.force_login(coordinator)
    add_shifts(community, compound, volunteer, 6)
    add_requests_and_applicants(community, compound, 2)
    client.get("/admin/")
    cold_cache()
    small = count_queries(client, "/admin/")
    add_shifts(community, compound, volunteer, 12)
    add_requests_and_applicants(community, compound, 6)
    cold_cache()
    assert count_queries(client, "/admin/") == small


def test_the_shift_list_pages_without_counting(client, volunteer, community, compound, settings):
    from volunteers import views

    settings.FRAGMENT_CACHE_ENABLED = False  # each page computed, its context read

    add_shifts(community, compound, volunteer, 40)
    client.force_login(volunteer.user)
    client.get("/volunteers/shifts/")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/volunteers/shifts/")
    # no count of the open shifts; the waiting lists of the page's own shifts (by their ids:
    # how many wait, her position) are counted, bounded by the page
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert all("volunteers_waitlistentry" in sql and " IN (" in sql for sql in counts)
    assert not [sql for sql in counts if 'FROM "volunteers_shift"' in sql]
    page = first.context["page"]
    assert len(page.object_list) == 30 and page.has_next() and not page.has_previous()
    assert "page=2" in first.content.decode()
    second = client.get("/volunteers/shifts/?page=2").context["page"]
    assert second.has_previous() and not second.has_next()
    seen = [s.pk for s in page.object_list] + [s.pk for s in second.object_list]
    expected = list(
        views.open_shifts_queryset(volunteer)
        .filter(start__lte=timezone.now() + timedelta(days=views.OPEN_SHIFT_DAYS))
        .values_list("pk", flat=True)
    )
    assert seen == expected  # every open shift once, in the list's order
    for bad in ("0", "x", "-3", "100000"):
        assert client.get(f"/volunteers/shifts/?page={bad}").context["page"].number == 1
    beyond = client.get("/volunteers/shifts/?page=5")
    assert beyond.status_code == 200 and not beyond.context["page"].object_list
    assert "page=4" in beyond.content.decode()  # the way back


def test_recommendations_are_reused_until_the_volunteer_signs_up(
    client, volunteer, community, compound
):
    from volunteers import services
    from volunteers.models import Shift

    add_shifts(community, compound, volunteer, 6)
    client.force_login(volunteer.user)
    first = client.get("/volunteers/me/").context["recommended"]
    assert first
    cold, warm = count_queries(client, "/volunteers/me/")
    assert warm == cold  # both reuse the stored choice: no ranking queries
    chosen = first[0][0]
    services.sign_up(volunteer, Shift.objects.get(pk=chosen.pk))
    again = [shift for shift, _reasons in client.get("/volunteers/me/").context["recommended"]]
    assert chosen not in again


def test_a_recommended_shift_that_fills_up_is_left_out(client, volunteer, community, compound):
    from volunteers.models import Shift

    add_shifts(community, compound, volunteer, 6)
    client.force_login(volunteer.user)
    first = [shift for shift, _reasons in client.get("/volunteers/me/").context["recommended"]]
    Shift.objects.filter(pk=first[0].pk).update(taken=first[0].places)
    again = [shift for shift, _reasons in client.get("/volunteers/me/").context["recommended"]]
    assert first[0] not in again
    assert again == first[1:]


def test_hours_in_all_and_in_a_period_come_from_one_query(volunteer, community, compound):
    from volunteers import services

    add_shifts(community, compound, volunteer, 8)  # served one a week, 8 to 57 days ago
    today = timezone.localdate()
    start, end = today - timedelta(days=30), today
    with CaptureQueriesContext(connection) as queries:
        total, period = services.minutes_served_in_all_and_in(volunteer, start, end)
    assert len(queries) == 1
    assert total == services.minutes_served(volunteer) == 8 * 240
    assert period == services.minutes_served(volunteer, start, end)
    assert 0 < period < total


def _served(volunteer, task, n):
    """n past shifts of `task` the volunteer held and attended, a week apart."""
    from volunteers.models import Attendance

    for index in range(n):
        before = timezone.now() - timedelta(days=8 + 7 * index)
        served = ShiftFactory(task=task, start=before, end=before + timedelta(hours=4))
        Attendance.objects.create(
            signup=SignupFactory(shift=served, profile=volunteer),
            check_in_at=before,
            check_out_at=before + timedelta(hours=4),
            minutes=240,
            status=Attendance.Status.CONFIRMED,
        )


def test_a_sign_up_reads_a_fixed_number_of_queries_whatever_the_history(
    volunteer, community, compound
):
    """The eligibility check reads what the task asks for (required and preferred skills,
    courses) in one query, the volunteer's skills and courses in another, and not their
    attendance record, which none of its rules reads: four queries, however long the
    volunteer's history; a sign-up as many with three times the history."""
    from volunteers import services
    from volunteers.matching import check_eligibility
    from volunteers.models import Shift

    skills = [SkillFactory(), SkillFactory()]
    volunteer.skills.set(skills)
    task = TaskFactory(community=community, compound=compound)
    task.skills.set(skills[:1])
    task.preferred_skills.set(skills[1:])

    def shift_in(days):
        start = timezone.now() + timedelta(days=days)
        made = ShiftFactory(task=task, start=start, end=start + timedelta(hours=2), places=5)
        return Shift.objects.select_related(
            "task__post", "task__community", "task__project__team"
        ).get(pk=made.pk)

    def measure():
        shift = shift_in(days=3 + 7 * len(counts))
        with CaptureQueriesContext(connection) as checked:
            check_eligibility(volunteer, shift)
        with CaptureQueriesContext(connection) as signed_up:
            services.sign_up(volunteer, shift)
        return len(checked), len(signed_up)

    counts = []
    _served(volunteer, task, 3)
    counts.append(measure())
    _served(volunteer, task, 9)
    counts.append(measure())
    assert counts[0][0] == 4, counts
    assert counts[1] == counts[0]

"""Signed-in pages run as many queries with three times the data (issue 13, point 2): the
volunteer's own page, the shift list, the donor's page and the coordinator's dashboard."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import roles
from tests.factories import (
    ShiftFactory,
    SignupFactory,
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
    """n open shifts over the next days in two communities, some the volunteer is on."""
    task = TaskFactory(community=community, compound=compound)
    elsewhere = TaskFactory()
    start = timezone.now() + timedelta(hours=6)
    for index in range(n):
        when = start + timedelta(hours=7 * index)
        ShiftFactory(task=task if index % 2 else elsewhere, start=when)
        if index % 5 == 0:
            mine = ShiftFactory(task=task, start=when + timedelta(hours=3), places=3)
            SignupFactory(shift=mine, profile=volunteer)


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


def test_the_donors_page_does_not_grow_with_pledges(client, cold_cache):
    donor = DonorFactory()
    user = make_user(username="bounds-donor", phone="13712340001")
    DonorRepresentativeFactory(donor=donor, user=user)
    client.force_login(user)

    def pledges(n):
        for _ in range(n):
            pledge = PledgeFactory(donor=donor)
            PledgeLineFactory(pledge=pledge)
            PledgeLineFactory(pledge=pledge)

    pledges(2)
    client.get("/donations/mine/")
    cold_cache()
    small = count_queries(client, "/donations/mine/")
    pledges(4)
    cold_cache()
    assert count_queries(client, "/donations/mine/") == small


def test_the_coordinators_dashboard_does_not_grow_with_shifts(
    client, coordinator, volunteer, community, compound, cold_cache
):
    client.force_login(coordinator)
    add_shifts(community, compound, volunteer, 6)
    client.get("/admin/")
    cold_cache()
    small = count_queries(client, "/admin/")
    add_shifts(community, compound, volunteer, 12)
    cold_cache()
    assert count_queries(client, "/admin/") == small


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

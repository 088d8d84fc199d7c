"""Many people tapping at once, on PostgreSQL with real threads: the last place goes to exactly
one of them, and one person never ends up on two overlapping shifts."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests import threads
from tests.factories import ShiftFactory, TaskFactory, VolunteerProfileFactory
from volunteers import services
from volunteers.models import Shift, Signup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(calls):
    """tests.threads.run_at_once for sign-ups, each call made in Chinese as a request would be;
    a SignupError is a refusal."""

    def in_chinese(call):
        def run():
            with translation.override("zh-hans"):
                return call()

        return run

    return threads.run_at_once([in_chinese(c) for c in calls], refused=services.SignupError)


def test_many_people_race_for_the_last_place_and_exactly_one_wins(community):
    task = TaskFactory(community=community)
    shift = ShiftFactory(task=task, places=3)
    early = VolunteerProfileFactory.create_batch(2, community=community)
    for profile in early:
        services.sign_up(profile, shift)
    racers = VolunteerProfileFactory.create_batch(12, community=community)
    results = run_at_once([lambda p=p: services.sign_up(p, shift) for p in racers])
    outcomes = [kind for kind, _ in results]
    assert outcomes.count("ok") == 1
    assert outcomes.count("refused") == 11
    assert "error" not in outcomes
    with translation.override("zh-hans"):  # messages are lazy: shown in the reader's language
        refusals = [(value.code, value.messages) for kind, value in results if kind == "refused"]
    assert all(code == "full" and "这个班次已满" in messages for code, messages in refusals), (
        refusals
    )
    shift.refresh_from_db()
    assert shift.taken == 3
    assert Signup.objects.filter(shift=shift, status="confirmed").count() == 3


def test_one_person_racing_for_overlapping_shifts_gets_only_one(community):
    profile = VolunteerProfileFactory(community=community)
    start = timezone.now() + timedelta(days=3)
    shifts = [
        ShiftFactory(
            task=TaskFactory(community=community),
            start=start + timedelta(minutes=30 * i),
            end=start + timedelta(hours=4, minutes=30 * i),
            places=5,
        )
        for i in range(6)
    ]
    results = run_at_once([lambda s=s: services.sign_up(profile, s) for s in shifts])
    outcomes = [kind for kind, _ in results]
    assert outcomes.count("ok") == 1, results
    assert "error" not in outcomes
    assert all(value.code == "overlap" for kind, value in results if kind == "refused")
    assert Signup.objects.filter(profile=profile, status="confirmed").count() == 1
    assert sum(Shift.objects.values_list("taken", flat=True)) == 1

"""Ranking reads the score's components from SQL (volunteers.matching.ranking) and the
availability grid from its 168-character mask; these tests hold both to the definition - the
pure core (volunteers.matching.rank) fed by load_candidates - on a mixed crowd, on whichever
database runs the suite (SQLite, and PostgreSQL in CI)."""

import random
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    CourseCompletionFactory,
    PostFactory,
    ShiftFactory,
    SignupFactory,
    SkillFactory,
    TaskFactory,
    VolunteerProfileFactory,
)
from volunteers import matching
from volunteers.availability import EMPTY_MASK, WeeklyMask, availability_mask, availability_slots
from volunteers.models import Attendance, Signup, VolunteerProfile

pytestmark = pytest.mark.django_db


def _monday_next_week():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def _at(day, hour, minute=0):
    tz = timezone.get_current_timezone()
    return timezone.make_aware(
        timezone.datetime.combine(day, timezone.datetime.min.time()), tz
    ) + timedelta(hours=hour, minutes=minute)


def _crowd(community, other_community, course):
    """Sixty volunteers varied in every component of the score."""
    rnd = random.Random(7)
    compounds = [CompoundFactory(community=community, name=f"甲区{k}") for k in range(3)]
    elsewhere = CompoundFactory(community=other_community, name="乙区")
    skills = [SkillFactory(code=f"rank-{k}", name=f"技能{k}") for k in range(4)]
    monday = _monday_next_week()
    filler = TaskFactory(community=community, title="已有排班")
    past_task = TaskFactory(community=community, title="往期")
    profiles = []
    for _n in range(60):
        home = rnd.choice(compounds + [elsewhere, None])
        grid = {}
        for day in rnd.sample(range(7), rnd.randint(0, 4)):
            h0 = rnd.choice([0, 6, 7, 9, 13, 18])
            h1 = rnd.choice(["12:00", "12:30", "19:00", "23:00", "00:00"])
            grid[str(day)] = [[f"{h0:02d}:00", h1]]
        profile = VolunteerProfileFactory(
            community=home.community if home else rnd.choice([community, other_community]),
            compound=home,
            availability=grid,
            is_party_member=rnd.random() < 0.3,
            status=rnd.choice(["verified"] * 9 + ["pending"]),
        )
        profile.skills.set(rnd.sample(skills, rnd.randint(0, 3)))
        if rnd.random() < 0.6:
            CourseCompletionFactory(user=profile.user, course=course)
        # history: attended, missed, cancelled shifts
        for k in range(rnd.randint(0, 4)):
            start = timezone.now() - timedelta(days=3 + k, hours=rnd.randint(0, 8))
            old = ShiftFactory(
                task=past_task,
                start=start,
                end=start + timedelta(hours=3),
                cancelled_at=timezone.now() if rnd.random() < 0.15 else None,
            )
            signup = SignupFactory(
                profile=profile, shift=old, status=rnd.choice(["confirmed", "confirmed", "no_show"])
            )
            if rnd.random() < 0.7:
                Attendance.objects.create(
                    signup=signup, check_in_at=start, check_out_at=start + timedelta(hours=3)
                )
        # bookings next week: hours of 2.5 or 1h20 (not whole hours), some only invited
        for _k in range(rnd.randint(0, 3)):
            start = _at(monday + timedelta(days=rnd.randint(0, 6)), rnd.randint(6, 20))
            length = rnd.choice(
                [timedelta(hours=2, minutes=30), timedelta(minutes=80), timedelta(hours=8)]
            )
            SignupFactory(
                profile=profile,
                shift=ShiftFactory(task=filler, start=start, end=start + length),
                status=rnd.choice(["confirmed", "invited", "declined"]),
            )
        profiles.append(profile)
    return {"compounds": compounds, "skills": skills, "monday": monday, "profiles": profiles}


def _course():
    from content import demo as content_demo
    from portal import demo
    from tests.factories import add_course

    home = demo.load_site()
    return add_course(content_demo.load_indexes(home)[1], title="个人防护", slug="ppe-rank")


@pytest.fixture(scope="class")
def _crowd_world(django_db_setup, django_db_blocker):
    """The communities, the course and the crowd, built once for the ranking's cases (the crowd
    is what takes long) in a transaction rolled back after the last of them; each case runs in
    a savepoint inside it, so the task and shift one case adds are gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        community = CommunityFactory(name="民岳家园社区", slug="minyue-jiayuan")
        other_community = CommunityFactory(name="蔚园社区", slug="weiyuan")
        course = _course()
        yield community, course, _crowd(community, other_community, course)
        transaction.set_rollback(True)


def _core_ranking(shift, top, exclude=()):
    """The definition: every verified volunteer through load_candidates and the pure core."""
    shift = type(shift).objects.select_related("task__post", "task__community").get(pk=shift.pk)
    spec = matching.shift_specs([shift], open_places=False)[shift.pk]
    candidates, commitments = matching.load_candidates(
        VolunteerProfile.objects.all(), matching.week_window([shift.start, shift.end])
    )
    declined = set(Signup.objects.ended().filter(shift=shift).values_list("profile_id", flat=True))
    ranked = matching.rank(
        candidates,
        spec,
        matching.weights(),
        top=top,
        commitments=commitments,
        exclude=declined | set(exclude),
    )
    return [(r.candidate_id, round(r.score, 2)) for r in ranked]


@pytest.mark.xdist_group("rank_sql")  # the cases share one worker, so the crowd is built once
class TestRankForShift:
    @pytest.fixture
    def world(self, _crowd_world, db):
        return _crowd_world

    @pytest.mark.parametrize("kind", ["compound", "party_post", "open_to_all", "no_compound"])
    def test_rank_for_shift_is_the_core_ranking(self, world, kind, settings):
        community, course, crowd = world
        _rank_for_shift_is_the_core_ranking(crowd, community, course, kind, settings)


def _rank_for_shift_is_the_core_ranking(crowd, community, course, kind, settings):
    settings.MATCHING_WEEKLY_HOURS_CAP = 10
    compound = crowd["compounds"][0]
    task = TaskFactory(
        community=community,
        compound=None if kind == "no_compound" else compound,
        own_community_only=kind != "open_to_all",
    )
    if kind == "party_post":
        task.post = PostFactory(compound=compound, name="先锋岗", is_party_post=True)
        task.save()
    task.preferred_skills.add(*crowd["skills"][:2])
    if kind == "compound":
        task.skills.add(crowd["skills"][3])
        task.required_courses.add(course)
    start = _at(crowd["monday"] + timedelta(days=2), 11, 30)
    shift = ShiftFactory(
        task=task, start=start, end=start + timedelta(hours=3, minutes=15), places=30
    )
    SignupFactory(shift=shift, profile=crowd["profiles"][0], status="declined")

    for top in (5, 60):
        got = [(s.profile.pk, s.score) for s in matching.rank_for_shift(shift, top=top)]
        assert got == _core_ranking(shift, top)
    assert len(got) >= 4  # the crowd really is ranked, not empty on both sides
    skip = [pid for pid, _score in got[:3]]
    got = [(s.profile.pk, s.score) for s in matching.rank_for_shift(shift, top=10, exclude=skip)]
    assert got == _core_ranking(shift, 10, exclude=skip)
    assert not set(skip) & {pid for pid, _score in got}


def test_weekly_hours_count_in_the_shift_week_only(community, compound, settings):
    """Hours booked in the shift's ISO week (by start) count for load and the cap; a booking
    ending the Sunday before, or cancelled, does not."""
    settings.MATCHING_WEEKLY_HOURS_CAP = 6
    monday = _monday_next_week()
    task = TaskFactory(community=community, compound=compound)
    busy, rested = (
        VolunteerProfileFactory(community=community, compound=compound) for _ in range(2)
    )
    SignupFactory(
        profile=busy, shift=ShiftFactory(task=task, start=_at(monday, 8), end=_at(monday, 12))
    )
    SignupFactory(
        profile=rested,
        shift=ShiftFactory(
            task=task,
            start=_at(monday - timedelta(days=1), 8),
            end=_at(monday - timedelta(days=1), 18),
        ),
    )
    SignupFactory(
        profile=rested,
        shift=ShiftFactory(
            task=task, start=_at(monday, 13), end=_at(monday, 20), cancelled_at=timezone.now()
        ),
    )
    two_hours = ShiftFactory(
        task=task, start=_at(monday + timedelta(days=3), 9), end=_at(monday + timedelta(days=3), 11)
    )
    three_hours = ShiftFactory(
        task=task,
        start=_at(monday + timedelta(days=3), 14),
        end=_at(monday + timedelta(days=3), 17),
    )
    ranked = matching.rank_for_shift(two_hours)
    assert [s.profile for s in ranked] == [rested, busy]  # fairness: fewer hours first
    assert ranked[0].score - ranked[1].score == pytest.approx(1.5 * 4 / 6, abs=0.01)
    # 4 + 3 > 6: over the cap for the busy one only
    assert [s.profile for s in matching.rank_for_shift(three_hours)] == [rested]


def test_availability_mask_follows_the_grid(community):
    grid = {
        "0": [["07:00", "12:00"]],
        "6": [["22:30", "00:00"]],
        "x": [["01:00", "02:00"]],
        "2": [["bad"], ["09:00", "09:30"]],
    }
    mask = availability_mask(grid)
    assert len(mask) == 168
    assert {divmod(i, 24) for i, c in enumerate(mask) if c == "1"} == set(availability_slots(grid))
    assert set(availability_slots(grid)) == {(0, h) for h in range(7, 12)} | {
        (6, 22),
        (6, 23),
        (2, 9),
    }
    assert set(WeeklyMask(mask)) == set(availability_slots(grid))
    assert (0, 7) in WeeklyMask(mask) and (0, 12) not in WeeklyMask(mask)
    assert not WeeklyMask(EMPTY_MASK) and not WeeklyMask("") and WeeklyMask(mask)

    profile = VolunteerProfileFactory(community=community, availability=grid)
    assert VolunteerProfile.objects.get(pk=profile.pk).availability_mask == mask
    profile.availability = {"1": [["19:00", "23:00"]]}
    profile.save(update_fields=["availability"])
    stored = VolunteerProfile.objects.get(pk=profile.pk).availability_mask
    assert set(WeeklyMask(stored)) == {(1, h) for h in range(19, 23)}
    [made] = VolunteerProfile.objects.bulk_create(
        [
            VolunteerProfile(
                real_name="批量", community=community, availability=grid, calendar_token="bulk-mask"
            )
        ]
    )
    assert VolunteerProfile.objects.get(pk=made.pk).availability_mask == mask


def test_migration_fills_masks_of_existing_profiles(community):
    from importlib import import_module

    from django.apps import apps

    profile = VolunteerProfileFactory(community=community, availability={"3": [["08:00", "10:00"]]})
    VolunteerProfile.objects.filter(pk=profile.pk).update(availability_mask=EMPTY_MASK)
    migration = import_module("volunteers.migrations.0004_availability_mask")
    migration.fill_masks(apps, None)
    stored = VolunteerProfile.objects.get(pk=profile.pk).availability_mask
    assert set(WeeklyMask(stored)) == {(3, 8), (3, 9)}


def test_deleted_account_clears_the_mask(community):
    from volunteers import services

    profile = VolunteerProfileFactory(community=community, availability={"3": [["08:00", "10:00"]]})
    services.delete_account(profile.user)
    assert VolunteerProfile.objects.get(pk=profile.pk).availability_mask == EMPTY_MASK


def test_reliability_counts_the_recent_window_only(community, compound, settings):
    """Shifts older than MATCHING_RELIABILITY_DAYS no longer count, in ranking and in
    load_candidates alike; a recent missed shift does."""
    settings.MATCHING_RELIABILITY_DAYS = 60
    task = TaskFactory(community=community, compound=compound)
    missed_long_ago, newcomer = (
        VolunteerProfileFactory(community=community, compound=compound) for _ in range(2)
    )

    def missed(profile, days):
        start = timezone.now() - timedelta(days=days)
        SignupFactory(
            profile=profile,
            shift=ShiftFactory(task=task, start=start, end=start + timedelta(hours=3)),
        )

    for _ in range(3):
        missed(missed_long_ago, days=70)
    shift = ShiftFactory(task=task, start=timezone.now() + timedelta(days=2))
    scores = {s.profile: s.score for s in matching.rank_for_shift(shift)}
    assert scores[missed_long_ago] == scores[newcomer]
    reliability = {
        c.id: c.reliability
        for c in matching.load_candidates(
            VolunteerProfile.objects.all(), matching.week_window([shift.start])
        )[0]
    }
    assert reliability[missed_long_ago.pk] == reliability[newcomer.pk] == 0.5

    missed(missed_long_ago, days=10)
    scores = {s.profile: s.score for s in matching.rank_for_shift(shift)}
    assert scores[missed_long_ago] < scores[newcomer]
    assert [
        (pid, score)
        for pid, score in ((s.profile.pk, s.score) for s in matching.rank_for_shift(shift))
    ] == _core_ranking(shift, 20)

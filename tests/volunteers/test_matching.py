"""Matching on the models (volunteers.matching): the hard rules at sign-up, ranking with
translated reasons in a bounded number of queries, auto-assign proposals and re-offering
declined places."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from content import demo as content_demo
from portal import demo
from tests.factories import (
    CompoundFactory,
    CourseCompletionFactory,
    ShiftFactory,
    SignupFactory,
    SkillFactory,
    TaskFactory,
    VolunteerProfileFactory,
    add_course,
)
from volunteers import matching, services
from volunteers.models import Signup


@pytest.fixture
def course(db):
    home = demo.load_site()
    course_index = content_demo.load_indexes(home)[1]
    return add_course(course_index, title="消毒消杀", slug="disinfection-course")


def _start(days=2, hour=7):
    return (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


def test_course_gate_refuses_with_a_link_then_admits(zh, volunteer, shift, course):
    shift.task.required_courses.add(course)
    with pytest.raises(services.SignupError) as refused:
        services.sign_up(volunteer, shift)
    text = " ".join(refused.value.messages)
    assert "请先完成《消毒消杀》课程" in text
    assert f'href="{course.get_url()}"' in text
    assert refused.value.code == "course"
    shift.refresh_from_db()
    assert shift.taken == 0
    CourseCompletionFactory(user=volunteer.user, course=course)
    assert services.sign_up(volunteer, shift).status == Signup.Status.CONFIRMED


def test_course_gate_message_shows_as_a_link_on_the_shift_page(client, volunteer, shift, course):
    shift.task.required_courses.add(course)
    client.force_login(volunteer.user)
    response = client.post(f"/volunteers/shifts/{shift.pk}/sign-up/", follow=True)
    html = response.content.decode()
    assert "请先完成《消毒消杀》课程" in html
    assert f'<a href="{course.get_url()}">' in html


def test_required_skill(zh, volunteer, shift):
    driving = SkillFactory(code="night-driving-x", name="夜间驾驶")
    shift.task.skills.add(driving)
    with pytest.raises(services.SignupError) as refused:
        services.sign_up(volunteer, shift)
    assert refused.value.code == "skill" and "夜间驾驶" in refused.value.messages[0]
    volunteer.skills.add(driving)
    services.sign_up(volunteer, shift)


def test_community_accepted_by_the_task(zh, volunteer, other_shift):
    # a task opened to the subdistrict by its coordinator takes volunteers from elsewhere
    services.sign_up(
        volunteer,
        ShiftFactory(
            task=TaskFactory(community=other_shift.task.community, own_community_only=False),
            start=other_shift.start + timedelta(days=3),
        ),
    )
    # a task as created (own community only by default) refuses them
    assert TaskFactory(community=other_shift.task.community).own_community_only
    other_shift.task.own_community_only = True
    other_shift.task.save()
    with pytest.raises(services.SignupError) as refused:
        services.sign_up(volunteer, other_shift)
    assert refused.value.code == "community"


def test_unverified_volunteer_refused(volunteer, shift):
    volunteer.status = "pending"
    volunteer.save()
    with pytest.raises(services.SignupError) as refused:
        services.sign_up(volunteer, shift)
    assert refused.value.code == "not_verified"


def test_overlap_refused(volunteer, shift, gate_task):
    services.sign_up(volunteer, shift)
    overlapping = ShiftFactory(
        task=gate_task, start=shift.start + timedelta(hours=2), end=shift.end + timedelta(hours=2)
    )
    with pytest.raises(services.SignupError) as refused:
        services.sign_up(volunteer, overlapping)
    assert refused.value.code == "overlap"
    # back to back is fine (half-open intervals)
    services.sign_up(
        volunteer, ShiftFactory(task=gate_task, start=shift.end, end=shift.end + timedelta(hours=2))
    )


def test_weekly_hours_cap(zh, settings, volunteer, gate_task):
    settings.MATCHING_WEEKLY_HOURS_CAP = 8
    monday = timezone.localtime(_start(days=7)).date()
    monday -= timedelta(days=monday.weekday())
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(
        timezone.datetime.combine(monday, timezone.datetime.min.time()), tz
    ) + timedelta(hours=8)
    a = ShiftFactory(task=gate_task, start=first, end=first + timedelta(hours=5))
    b = ShiftFactory(
        task=gate_task, start=first + timedelta(days=1), end=first + timedelta(days=1, hours=5)
    )
    next_week = ShiftFactory(
        task=gate_task, start=first + timedelta(days=7), end=first + timedelta(days=7, hours=5)
    )
    services.sign_up(volunteer, a)
    with pytest.raises(services.SignupError) as refused:
        services.sign_up(volunteer, b)
    assert refused.value.code == "weekly_cap" and "8" in refused.value.messages[0]
    services.sign_up(volunteer, next_week)


def test_invite_obeys_the_course_gate(coordinator, volunteer, shift, course):
    shift.task.required_courses.add(course)
    with pytest.raises(services.SignupError):
        services.invite(shift, volunteer, coordinator)


# --- ranking --------------------------------------------------------------------------------


def test_rank_best_first_with_translated_reasons(zh, community, compound, post, shift, course):
    post.is_party_post = True
    post.save()
    local = timezone.localtime(shift.start)
    disinfect = SkillFactory(code="spray-x", name="喷雾消杀")
    shift.task.preferred_skills.add(disinfect)
    shift.task.required_courses.add(course)
    neighbour = VolunteerProfileFactory(
        community=community,
        compound=compound,
        is_party_member=True,
        availability={str(local.weekday()): [[f"{local:%H}:00", "23:00"]]},
    )
    neighbour.skills.add(disinfect)
    same_community = VolunteerProfileFactory(
        community=community, compound=CompoundFactory(community=community)
    )
    untrained = VolunteerProfileFactory(community=community, compound=compound)
    for profile in (neighbour, same_community):
        CourseCompletionFactory(user=profile.user, course=course)
    ranked = matching.rank_for_shift(shift)
    assert [s.profile for s in ranked] == [neighbour, same_community]
    assert untrained not in [s.profile for s in ranked]
    reasons = ranked[0].reasons
    for text in (
        "同一小区",
        "具备技能“喷雾消杀”",
        "该时段有空",
        "已完成课程“消毒消杀”",
        "本周时长较少",
        "党员先锋岗",
    ):
        assert any(text in r for r in reasons), (text, reasons)
    assert "同一社区" in ranked[1].reasons


def test_rank_uses_a_bounded_number_of_queries(community, shift):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            matching.rank_for_shift(shift, top=5)
        return len(ctx.captured_queries)

    VolunteerProfileFactory.create_batch(3, community=community)
    few = count()
    for profile in VolunteerProfileFactory.create_batch(30, community=community):
        SignupFactory(
            profile=profile,
            shift=ShiftFactory(task=shift.task, start=shift.start - timedelta(days=9)),
        )
    assert count() == few


def test_recommended_shifts_on_the_volunteer_page(client, volunteer, shift, other_shift):
    client.force_login(volunteer.user)
    html = client.get("/volunteers/me/").content.decode()
    recommended = html[html.index("为您推荐") :]
    assert f"/volunteers/shifts/{shift.pk}/" in recommended
    assert f"/volunteers/shifts/{other_shift.pk}/" not in recommended  # another community's
    other_shift.task.own_community_only = False
    other_shift.task.save()
    html = client.get("/volunteers/me/").content.decode()
    assert f"/volunteers/shifts/{other_shift.pk}/" in html[html.index("为您推荐") :]  # opened
    other_shift.task.own_community_only = True
    other_shift.task.save()
    html = client.get("/volunteers/me/").content.decode()
    assert f"/volunteers/shifts/{other_shift.pk}/" not in html[html.index("为您推荐") :]


# --- auto-assign ------------------------------------------------------------------------------


def test_auto_assign_respects_overlap_and_course_gate(
    community, compound, gate_task, course, coordinator
):
    start = _start(days=3)
    a = ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=4), places=1)
    b = ShiftFactory(
        task=gate_task, start=start + timedelta(hours=2), end=start + timedelta(hours=6), places=1
    )
    trained_task = TaskFactory(community=community, compound=compound, title="消杀")
    trained_task.required_courses.add(course)
    c = ShiftFactory(
        task=trained_task,
        start=start + timedelta(days=1),
        end=start + timedelta(days=1, hours=3),
        places=1,
    )
    only = VolunteerProfileFactory(community=community, compound=compound)
    proposals, result = matching.propose(type(a).objects.filter(pk__in=[a.pk, b.pk, c.pk]))
    pairs = {(p.shift.pk, p.profile.pk) for p in proposals}
    # one person, two overlapping shifts: only one; untrained: not on the course-gated shift
    assert len(pairs) == 1 and (c.pk, only.pk) not in pairs
    second = VolunteerProfileFactory(community=community, compound=compound)
    CourseCompletionFactory(user=second.user, course=course)
    proposals, result = matching.propose(type(a).objects.filter(pk__in=[a.pk, b.pk, c.pk]))
    assert len(proposals) == 3
    assert {p.profile for p in proposals if p.shift == c} == {second}
    sent, refused = matching.send_invitations(
        [(p.shift.pk, p.profile.pk) for p in proposals], coordinator
    )
    assert len(sent) == 3 and not refused
    assert Signup.objects.filter(status="invited").count() == 3


def test_auto_assign_is_deterministic(community, compound, gate_task):
    start = _start(days=4)
    for i in range(6):
        ShiftFactory(
            task=gate_task,
            start=start + timedelta(hours=3 * i),
            end=start + timedelta(hours=3 * i + 4),
            places=2,
        )
    VolunteerProfileFactory.create_batch(8, community=community, compound=compound)
    first = [(p.shift.pk, p.profile.pk) for p in matching.propose(gate_task.shifts.all())[0]]
    second = [(p.shift.pk, p.profile.pk) for p in matching.propose(gate_task.shifts.all())[0]]
    assert first == second and len(first) > 0


def test_declined_place_goes_to_the_next_best(community, compound, shift, coordinator):
    best = VolunteerProfileFactory(community=community, compound=compound)
    runner_up = VolunteerProfileFactory(community=community)
    shift.places = 1
    shift.save()
    invitation = services.invite(shift, best, coordinator)
    services.decline_invitation(best, invitation)
    sent = matching.offer_declined_places(shift, coordinator)
    assert [s.profile for s in sent] == [runner_up]


def test_other_coordinator_cannot_send_invitations(community, shift, other_coordinator):
    profile = VolunteerProfileFactory(community=community)
    with pytest.raises(PermissionDenied):
        matching.send_invitations([(shift.pk, profile.pk)], other_coordinator)
    assert not Signup.objects.exists()


def _scenario(community, compound, course):
    """Volunteers and shifts whose answer the pure core computes too (names, not ids)."""
    other_compound = CompoundFactory(community=community, name="蔚园二区")
    base = _start(days=5)
    local = timezone.localtime(base)
    people = {
        "甲": dict(compound=compound, party=True, hours=(local.hour, 23), course=True),
        "乙": dict(compound=compound, party=False, hours=None, course=False),
        "丙": dict(compound=other_compound, party=True, hours=(local.hour, 23), course=True),
        "丁": dict(compound=other_compound, party=False, hours=(0, 23), course=False),
    }
    profiles = {}
    for name, p in people.items():
        availability = (
            {str(local.weekday()): [[f"{p['hours'][0]:02d}:00", f"{p['hours'][1]:02d}:00"]]}
            if p["hours"]
            else {}
        )
        profiles[name] = VolunteerProfileFactory(
            real_name=name,
            community=community,
            compound=p["compound"],
            is_party_member=p["party"],
            availability=availability,
        )
        if p["course"]:
            CourseCompletionFactory(user=profiles[name].user, course=course)
    gated = TaskFactory(community=community, compound=compound, title="消杀作业")
    gated.required_courses.add(course)
    plain = TaskFactory(community=community, compound=other_compound, title="值守")
    shifts = {
        "A": ShiftFactory(task=plain, start=base, end=base + timedelta(hours=4), places=2),
        "B": ShiftFactory(
            task=plain, start=base + timedelta(hours=2), end=base + timedelta(hours=5), places=2
        ),
        "C": ShiftFactory(
            task=gated, start=base + timedelta(hours=4), end=base + timedelta(hours=6), places=1
        ),
        "D": ShiftFactory(
            task=gated,
            start=base + timedelta(days=1),
            end=base + timedelta(days=1, hours=3),
            places=2,
        ),
    }
    return profiles, shifts


def test_auto_assign_same_answer_as_the_pure_core(community, compound, course):
    """The DB adapter feeds the core exactly; run on SQLite and on PostgreSQL
    (DATABASE_URL=postgres://...) this yields the same named answer."""
    profiles, shifts = _scenario(community, compound, course)
    proposals, _result = matching.propose(
        type(shifts["A"]).objects.filter(pk__in=[s.pk for s in shifts.values()])
    )
    names = {p.pk: n for n, p in profiles.items()}
    snames = {s.pk: n for n, s in shifts.items()}
    got = sorted((snames[p.shift.pk], names[p.profile.pk]) for p in proposals)

    specs = matching.shift_specs(
        type(shifts["A"])
        .objects.filter(pk__in=[s.pk for s in shifts.values()])
        .select_related("task__post")
    )
    candidates, commitments = matching.load_candidates(
        type(profiles["甲"]).objects.filter(pk__in=[p.pk for p in profiles.values()]),
        matching.week_window([s.start for s in shifts.values()]),
    )
    expected = matching.exact_optimum(
        candidates, [specs[s.pk] for s in shifts.values()], matching.weights(), commitments
    )
    assert got == sorted((snames[sid], names[cid]) for cid, sid in expected)
    # the rules: C and D need the course, nobody on both A and B
    assert all(n in ("甲", "丙") for s, n in got if s in ("C", "D"))
    on_a = {n for s, n in got if s == "A"}
    on_b = {n for s, n in got if s == "B"}
    assert not on_a & on_b
    # the answer itself, fixed: the same on every database
    assert got == [
        ("A", "丁"),
        ("A", "甲"),
        ("B", "丙"),
        ("B", "乙"),
        ("C", "甲"),
        ("D", "丙"),
        ("D", "甲"),
    ]

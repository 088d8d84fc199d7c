"""Issue 12, point 2: shifts always exist a rolling number of days ahead (`generate_shifts`,
idempotent), and editing a template updates its shifts in place, so links already sent work."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.threads import errors_of, run_at_once
from volunteers import services
from volunteers.models import Shift, ShiftTemplate


def _template(task, **fields):
    today = timezone.localdate()
    return ShiftTemplate.objects.create(
        **{
            "task": task,
            "weekdays": list(range(7)),
            "time_ranges": [["07:00", "12:00"], ["12:00", "19:00"]],
            "places": 2,
            "start_date": today - timedelta(days=30),
            "end_date": None,
            **fields,
        }
    )


def _days(template):
    return sorted({timezone.localdate(s.start) for s in template.shifts.all()})


def test_an_open_ended_template_always_has_shifts_days_ahead(gate_task, settings):
    settings.VOLUNTEERS_SHIFT_DAYS_AHEAD = 14
    template = _template(gate_task)
    today = timezone.localdate()
    services.generate_from_template(template)
    assert _days(template)[-1] == today + timedelta(days=14)
    # a week later the daily command makes the next week; nothing twice
    later = timezone.now() + timedelta(days=7)
    made = services.generate_shifts(now=later)
    assert made == {template: 14}
    assert services.generate_shifts(now=later) == {}
    assert _days(template)[-1] == today + timedelta(days=21)
    assert Shift.objects.filter(template=template).count() == len(
        set(Shift.objects.filter(template=template).values_list("start", flat=True))
    )


def test_the_horizon_is_a_setting_and_an_end_date_still_ends(gate_task, settings):
    settings.VOLUNTEERS_SHIFT_DAYS_AHEAD = 3
    today = timezone.localdate()
    rolling = _template(gate_task)
    ending = _template(
        gate_task, end_date=today + timedelta(days=1), time_ranges=[["20:00", "22:00"]]
    )
    call_command("generate_shifts", stdout=open("/dev/null", "w"))
    assert _days(rolling)[-1] == today + timedelta(days=3)
    assert _days(ending)[-1] == today + timedelta(days=1)


def test_an_inactive_task_makes_no_shifts(gate_task):
    gate_task.active = False
    gate_task.save()
    template = _template(gate_task)
    assert services.generate_shifts() == {}
    assert not template.shifts.exists()


def test_a_slot_is_made_once_even_by_two_generators(gate_task):
    """The database keeps one shift per template and start: a second generator that did not
    see the first one's shifts adds nothing."""
    template = _template(gate_task)
    services.generate_from_template(template)
    count = template.shifts.count()
    # A generator that read "nothing there yet" before the first one committed:
    shift = template.shifts.first()
    assert (
        Shift.objects.bulk_create(
            [Shift(task=gate_task, template=template, start=shift.start, end=shift.end, places=2)],
            ignore_conflicts=True,
        )
        and template.shifts.count() == count
    )


@pytest.mark.django_db(transaction=True)
def test_generate_shifts_run_twice_at_once(gate_task):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL")
    template = _template(gate_task)
    assert errors_of(run_at_once([services.generate_shifts] * 2)) == []
    starts = list(template.shifts.values_list("start", flat=True))
    assert len(starts) == len(set(starts)) > 0


def test_saving_a_template_keeps_every_shift_id(gate_task, volunteer):
    """A link sent yesterday (an invitation, a recommendation) still opens its shift."""
    template = _template(gate_task)
    services.generate_from_template(template)
    before = set(template.shifts.values_list("pk", flat=True))
    services.update_template(template, places=3)
    after = template.shifts.all()
    assert set(s.pk for s in after) == before
    assert all(s.places == 3 for s in after)


def test_a_time_change_moves_empty_shifts_in_place(gate_task, volunteer):
    template = _template(gate_task)
    services.generate_from_template(template)
    # from tomorrow on, so the first is a 07:00 shift whatever the time of day the test runs
    tomorrow = timezone.localdate() + timedelta(days=1)
    ahead = [
        s for s in template.shifts.order_by("start") if timezone.localdate(s.start) >= tomorrow
    ]
    staffed, empty = ahead[0], ahead[2]
    services.sign_up(volunteer, staffed)
    services.update_template(template, time_ranges=[["08:00", "12:00"], ["12:00", "18:00"]])
    empty.refresh_from_db()
    assert empty.template_id == template.pk and empty.cancelled_at is None
    assert timezone.localtime(empty.start).hour in (8, 12)
    assert timezone.localtime(empty.end).hour in (12, 18)
    # the volunteer's shift is not moved under her
    staffed.refresh_from_db()
    assert timezone.localtime(staffed.start).hour == 7 and staffed.cancelled_at is None


def test_a_dropped_weekday_cancels_its_empty_shifts_and_their_links_still_open(
    client, gate_task, volunteer
):
    template = _template(gate_task)
    services.generate_from_template(template)
    tomorrow = timezone.localdate() + timedelta(days=1)
    dropped = [s for s in template.shifts.all() if timezone.localdate(s.start) == tomorrow]
    services.update_template(template, weekdays=[d for d in range(7) if d != tomorrow.weekday()])
    for shift in dropped:
        shift.refresh_from_db()
        assert shift.cancelled_at is not None
    client.force_login(volunteer.user)
    assert client.get(f"/volunteers/shifts/{dropped[0].pk}/").status_code == 200


def test_a_template_without_an_end_date_is_saved_from_the_admin_form(gate_task):
    from volunteers.wagtail_hooks import TemplateForm

    form = TemplateForm(
        data={
            "task": gate_task.pk,
            "weekdays": ["0", "1"],
            "places": "2",
            "start_date": timezone.localdate().isoformat(),
            "end_date": "",
            "time_ranges_text": "07:00-12:00",
        }
    )
    assert form.is_valid(), form.errors
    template = services.create_template(**form.template_fields())
    assert template.end_date is None and template.shifts.exists()


def test_the_duty_grid_shows_posts_by_day_with_open_places(
    client, coordinator, gate_task, volunteer, other_task
):
    template = _template(gate_task)
    services.generate_from_template(template)
    taken = template.shifts.order_by("start")[0]
    services.sign_up(volunteer, taken)
    other = _template(other_task)
    services.generate_from_template(other)
    client.force_login(coordinator)
    compound = gate_task.post.compound
    page = client.get(f"/admin/volunteering/duty-grid/?compound={compound.pk}").content.decode()
    assert "北门 · 北门值守" in page
    assert f"/admin/volunteering/shifts/{taken.pk}/people/" in page
    assert "1/2" in page and "0/2" in page
    assert "南门" not in page  # another community's post
    # next week already exists, and each cell opens the shift's people page
    next_week = (timezone.localdate() + timedelta(days=7)).isoformat()
    page = client.get(
        f"/admin/volunteering/duty-grid/?compound={compound.pk}&from={next_week}"
    ).content.decode()
    assert page.count("/people/") == 14
    # another community's compound: not found
    foreign = other_task.post.compound
    response = client.get(f"/admin/volunteering/duty-grid/?compound={foreign.pk}")
    assert response.status_code == 404
    assert client.get("/admin/volunteering/duty-grid/?compound=abc").status_code == 404

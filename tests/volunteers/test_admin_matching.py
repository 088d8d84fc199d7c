"""The back-office matching pages: a shift's suggestions with invite buttons, and auto-assign
with review (drop some proposals, send the rest). Scoped: another community gets 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ShiftFactory, TaskFactory, VolunteerProfileFactory
from volunteers.models import Signup


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr("portal.notify.transaction", SimpleNamespace(on_commit=lambda fn: fn()))


@pytest.fixture
def next_week(community, compound):
    task = TaskFactory(community=community, compound=compound, title="北门值守")
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    start = timezone.make_aware(
        timezone.datetime.combine(monday, timezone.datetime.min.time())
    ) + timedelta(hours=8)
    return [
        ShiftFactory(
            task=task,
            start=start + timedelta(days=i),
            end=start + timedelta(days=i, hours=4),
            places=1,
        )
        for i in range(3)
    ]


def test_shift_suggestions_and_invite(
    client, community, compound, coordinator, other_coordinator, next_week
):
    neighbour = VolunteerProfileFactory(real_name="王邻居", community=community, compound=compound)
    shift = next_week[0]
    client.force_login(coordinator)
    html = client.get(f"/admin/volunteering/shifts/{shift.pk}/suggestions/").content.decode()
    assert "王邻居" in html and "同一小区" in html
    client.post(
        f"/admin/volunteering/shifts/{shift.pk}/suggestions/",
        {"action": "invite", "profile": neighbour.pk},
    )
    assert Signup.objects.get(shift=shift, profile=neighbour).status == "invited"
    client.force_login(other_coordinator)
    assert client.get(f"/admin/volunteering/shifts/{shift.pk}/suggestions/").status_code == 404


def test_auto_assign_review_and_send(client, community, compound, coordinator, next_week):
    VolunteerProfileFactory.create_batch(3, community=community, compound=compound)
    client.force_login(coordinator)
    monday = timezone.localtime(next_week[0].start).date()
    response = client.post(
        "/admin/volunteering/auto-assign/",
        {
            "action": "propose",
            "start": monday,
            "end": monday + timedelta(days=6),
            "community": community.pk,
        },
    )
    pairs = response.context["proposals"]
    assert len(pairs) == 3
    keep = [p.key for p in pairs[:2]]  # the coordinator unticks one
    client.post("/admin/volunteering/auto-assign/", {"action": "send", "pair": keep})
    assert Signup.objects.filter(status="invited").count() == 2


def test_auto_assign_cannot_send_for_another_community(
    client, other_coordinator, next_week, community
):
    profile = VolunteerProfileFactory(community=community)
    client.force_login(other_coordinator)
    response = client.post(
        "/admin/volunteering/auto-assign/",
        {"action": "send", "pair": [f"{next_week[0].pk}:{profile.pk}"]},
    )
    assert response.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect
    assert not Signup.objects.exists()

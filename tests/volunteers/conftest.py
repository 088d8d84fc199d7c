from datetime import timedelta

import pytest
from django.utils import timezone

from portal import roles
from tests.factories import (
    CompoundFactory,
    PostFactory,
    ShiftFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers.models import Task


@pytest.fixture
def volunteer(community, compound):
    """A verified volunteer of 民岳家园社区 (journey 1's resident, after approval)."""
    user = make_user(roles.VOLUNTEER, username="xiaohong", phone="13712345678")
    return VolunteerProfileFactory(
        user=user, real_name="李晓红", community=community, compound=compound
    )


@pytest.fixture
def gate_task(community, compound, post):
    return TaskFactory(
        community=community,
        compound=compound,
        post=post,
        title="北门值守",
        kind=Task.Kind.GATE_DUTY,
    )


@pytest.fixture
def shift(gate_task):
    start = (timezone.now() + timedelta(days=2)).replace(hour=7, minute=0, second=0, microsecond=0)
    return ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=5), places=2)


@pytest.fixture
def other_task(other_community):
    compound = CompoundFactory(community=other_community, name="蔚园一区")
    post = PostFactory(compound=compound, name="南门")
    return TaskFactory(community=other_community, compound=compound, post=post, title="南门值守")


@pytest.fixture
def other_shift(other_task):
    return ShiftFactory(task=other_task)


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    """Tests run inside a transaction that never commits; send notifications at once."""
    from types import SimpleNamespace

    monkeypatch.setattr("portal.notify.transaction", SimpleNamespace(on_commit=lambda fn: fn()))

"""A shift on the volunteer's lists (my page, the open shifts, the recommendations) reads as
the task first - what she will do - and then where: the post and compound, and the kind of
work. Before, the post's name stood where the task's title belonged."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ShiftFactory, TaskFactory
from volunteers import services
from volunteers.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def temperature_shift(community, compound, post):
    task = TaskFactory(
        community=community,
        compound=compound,
        post=post,
        title="测体温登记",
        kind=Task.Kind.TEMPERATURE,
    )
    start = (timezone.now() + timedelta(days=2)).replace(hour=7, minute=0, second=0, microsecond=0)
    return ShiftFactory(task=task, start=start, end=start + timedelta(hours=5), places=2)


def _lines(html):
    whens = [
        re.sub(r"<[^>]+>", "", w).strip() for w in re.findall(r'class="when">(.*?)</div>', html)
    ]
    wheres = re.findall(r'class="where">(.*?)</div>', html)
    return whens, wheres


def test_my_page_shows_the_task_title_first_and_the_post_second(
    client, volunteer, temperature_shift
):
    services.sign_up(volunteer, temperature_shift)
    client.force_login(volunteer.user)
    whens, wheres = _lines(client.get("/volunteers/me/").content.decode())
    assert len(whens) == 1 and re.fullmatch(r"测体温登记 \d\d:\d\d-\d\d:\d\d", whens[0])
    assert wheres[0].startswith("北门 · 民岳家园一区 · ")


def test_the_open_shifts_list_shows_the_task_title_too(client, volunteer, temperature_shift):
    client.force_login(volunteer.user)
    whens, wheres = _lines(client.get("/volunteers/shifts/").content.decode())
    assert any(w.startswith("测体温登记 ") for w in whens)
    assert any(w.startswith("北门 · 民岳家园一区") for w in wheres)

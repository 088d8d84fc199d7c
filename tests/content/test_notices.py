"""Notices through a day: announced before they start, shown while in force, said to have ended
after; urgent ones first on the home page and their communities' pages; every time in Beijing
time."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from content.models import NoticePage
from tests.factories import add_notice

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def beijing(*args):
    return datetime.datetime(*args, tzinfo=BEIJING)


@pytest.fixture
def now(monkeypatch):
    """3 December 2026, 18:33 UTC = 4 December 02:33 in Beijing."""
    moment = datetime.datetime(2026, 12, 3, 18, 33, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_a_notice_that_starts_tomorrow_says_from_when(db, now):
    notice = NoticePage(title="南门关闭", valid_from=beijing(2026, 12, 4, 22, 0))
    assert notice.validity == {"state": "upcoming", "text": "自 12月4日 22:00 起"}
    notice.valid_until = beijing(2026, 12, 31, 18, 0)
    assert notice.validity["text"] == "自 12月4日 22:00 起，至 12月31日 18:00 止"


def test_validity_while_in_force_and_after_it_ended(db, now):
    in_force = NoticePage(
        valid_from=beijing(2026, 12, 1, 8, 0), valid_until=beijing(2027, 1, 3, 9, 30)
    )
    assert in_force.validity == {"state": "in_force", "text": "有效期至 2027年1月3日 09:30"}
    since = NoticePage(valid_from=beijing(2026, 12, 1, 8, 0))
    assert since.validity["text"] == "自 12月1日 08:00 起生效"
    ended = NoticePage(valid_until=beijing(2026, 12, 2, 18, 0))
    assert ended.validity == {"state": "ended", "text": "已于 12月2日 18:00 失效"}
    assert NoticePage().validity is None


def test_validity_reads_in_english_under_en(db, now):
    from django.utils import translation

    with translation.override("en"):
        notice = NoticePage(valid_from=beijing(2026, 12, 4, 22, 0))
        assert notice.validity["text"] == "From 4 Dec 22:00"


def test_the_notice_page_says_from_when_not_expired(client, notice_index):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(22, 0)))
    notice = add_notice(notice_index, title="南门每晚22:00关闭", urgent=True, valid_from=start)
    html = client.get(notice.url).content.decode()
    assert f"自 {tomorrow.month}月{tomorrow.day}日 22:00 起" in html
    assert "已失效" not in html and "expired" not in html


def test_an_urgent_notice_for_a_community_shows_on_home_and_its_page_before_it_starts(
    client, notice_index, section, other_section
):
    start = timezone.now() + datetime.timedelta(days=1)
    add_notice(section, title="民岳家园南门每晚22:00关闭", urgent=True, valid_from=start)
    for url in ("/", section.url, "/notices/"):
        assert "民岳家园南门每晚22:00关闭" in client.get(url).content.decode(), url
    assert "民岳家园南门每晚22:00关闭" not in client.get(other_section.url).content.decode()


def test_urgent_notices_are_not_pushed_off_the_home_page_by_newer_ones(client, notice_index):
    today = timezone.localdate()
    add_notice(
        notice_index, title="较早的紧急通知", urgent=True, date=today - datetime.timedelta(days=9)
    )
    for number in range(6):
        add_notice(notice_index, title=f"普通通知{number}", date=today)
    html = client.get("/").content.decode()
    assert "较早的紧急通知" in html
    assert html.index("较早的紧急通知") < html.index("普通通知")


def test_ended_notices_leave_the_home_page_and_the_community_page(client, section):
    add_notice(
        section, title="已结束的通知", valid_until=timezone.now() - datetime.timedelta(hours=1)
    )
    assert "已结束的通知" not in client.get("/").content.decode()
    assert "已结束的通知" not in client.get(section.url).content.decode()


def test_upcoming_notices_reach_the_communitys_volunteers(section, coordinator):
    from content.services import notices_for_user

    add_notice(section, title="明日起", valid_from=timezone.now() + datetime.timedelta(days=1))
    assert [n.title for n in notices_for_user(coordinator)] == ["明日起"]


def test_the_notice_list_pins_urgent_notices_once_not_twice(client, notice_index):
    add_notice(notice_index, title="南门每晚22:00关闭", urgent=True)
    add_notice(notice_index, title="返京人员请报备")
    html = client.get(notice_index.url).content.decode()
    assert html.count("南门每晚22:00关闭</a>") == 1
    assert html.index("南门每晚22:00关闭") < html.index("返京人员请报备")


@pytest.mark.django_db
def test_the_notices_list_does_not_say_there_are_none_under_an_urgent_one(client, notice_index):
    add_notice(notice_index, title="南门夜间关闭", urgent=True)
    page = client.get(notice_index.url).content.decode()
    assert "南门夜间关闭" in page and "暂无其他通知" in page and "暂无通知" not in page
    NoticePage.objects.update(urgent=False)
    page = client.get(notice_index.url).content.decode()
    assert "暂无" not in page

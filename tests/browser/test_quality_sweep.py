"""The public pages, at 375 px, through the Nu HTML checker and axe-core (tests/browser/quality.py):
no HTML error, no serious or critical accessibility violation, for a visitor, a volunteer and a
donor's representative."""

import datetime

import pytest
from django.test import Client
from django.utils import translation

from content import demo as content_demo
from content import services as content_services
from donations.models import Need
from portal import demo, roles
from tests.factories import (
    DonorRepresentativeFactory,
    ItemFactory,
    ShiftFactory,
    TaskFactory,
    VolunteerProfileFactory,
    add_course,
    add_lesson,
    add_notice,
    add_story,
    make_user,
)

from .quality import assert_accessible, assert_valid_html

live = pytest.mark.django_db(transaction=True)  # the live server reads committed data


def _wagtail_root():
    """Wagtail's root page, root collection and default locale, made by its migrations: a
    transactional test that ran before this one flushed them."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")

    if Page.get_first_root_node() is None:
        code = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        locale, _ = Locale.objects.get_or_create(language_code=code)
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


@pytest.fixture
def world(community, compound):
    _wagtail_root()
    with translation.override("zh-hans"):
        home = demo.load_site()
        notices, courses, stories = content_demo.load_indexes(home)
        content_services.setup_editorial(home)
        section = content_services.setup_community_section(community, home)
        notice = add_notice(notices, title="南门22:00关闭")
        course = add_course(courses, title="消毒课堂")
        add_lesson(course, title="84消毒液的稀释")
        story = add_story(stories, title="感谢送口罩的小伙子")
    task = TaskFactory(community=community, compound=compound, title="北门值守")
    ShiftFactory(task=task)
    needed = ItemFactory()
    Need.objects.create(
        community=community,
        item=needed,
        quantity=100,
        needed_by=datetime.date.today() + datetime.timedelta(days=3),
        status=Need.Status.APPROVED,
    )
    volunteer = make_user(roles.VOLUNTEER, username="vol", phone="13911112222")
    VolunteerProfileFactory(user=volunteer, community=community, compound=compound)
    representative = make_user(username="rep", phone="13933334444")
    DonorRepresentativeFactory(user=representative)
    return {
        "visitor": [
            "/",
            notices.url,
            notice.url,
            courses.url,
            course.url,
            stories.url,
            story.url,
            section.url,
            "/donations/",
            "/donations/board/",
            "/donations/needs/",
            "/volunteers/shifts/",
            f"/volunteers/join/{community.slug}/",
            "/search/?q=%E6%B6%88%E6%AF%92",  # 消毒, as a browser sends it
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/signup/email/",
            "/accounts/login/code/",
        ],
        volunteer: [
            "/volunteers/me/",
            "/volunteers/profile/",
            "/volunteers/shifts/",
            "/assistance/help/",
            "/assistance/help/mine/",
            "/me/",
        ],
        representative: ["/donations/mine/", "/donations/donor/register/"],
    }


def _html(user, path):
    client = Client()
    if user != "visitor":
        client.force_login(user)
    response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


@pytest.mark.django_db
def test_public_pages_are_valid_html(world):
    pages = {
        f"{user}: {path}": _html(user, path) for user, paths in world.items() for path in paths
    }
    assert_valid_html(pages)


@live
def test_public_pages_have_no_serious_accessibility_violation(browser, live_server, sign_in, world):
    failures = []
    for user, paths in world.items():
        if user != "visitor":
            sign_in(browser, user)
        for path in paths:
            browser.get(live_server.url + path)
            try:
                assert_accessible(browser)
            except AssertionError as error:
                failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_the_gates_fail_on_what_they_should(browser):
    # The sweep passing means something only if the checkers would have said no.
    broken = '<!doctype html><html lang="zh-Hans"><title>x</title><p><div></p><input aria-describedby="nope">'
    with pytest.raises(AssertionError, match="aria-describedby"):
        assert_valid_html(broken)
    browser.get("data:text/html;charset=utf-8,<html><body><img src='x.png'><input></body></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(browser)

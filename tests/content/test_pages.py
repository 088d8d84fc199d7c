"""Page types: creation rules, rendering in Chinese and English, targeting, consent, and
listings whose query count does not grow with the number of children."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from content.models import CourseIndexPage, HomePage, NoticePage, StoryPage
from tests.factories import add_course, add_lesson, add_notice, add_story, paragraph, question


def test_page_types_only_go_where_they_belong():
    from content.models import (
        CommunitySectionPage,
        CoursePage,
        LessonPage,
        NoticeIndexPage,
        StoryIndexPage,
    )

    assert NoticeIndexPage.allowed_subpage_models() == [NoticePage]
    assert set(NoticePage.allowed_parent_page_models()) == {NoticeIndexPage, CommunitySectionPage}
    assert set(StoryPage.allowed_parent_page_models()) == {StoryIndexPage, CommunitySectionPage}
    assert NoticePage not in CourseIndexPage.allowed_subpage_models()
    assert LessonPage.allowed_parent_page_models() == [CoursePage]
    assert HomePage not in StoryPage.allowed_parent_page_models()


@pytest.mark.parametrize("prefix, ui_text", [("", "最新通知"), ("/en", "Latest notices")])
def test_every_page_type_renders_in_both_languages(
    client, notice_index, course_index, story_index, section, prefix, ui_text
):
    notice = add_notice(
        notice_index,
        title="关于小区封闭管理的通知",
        urgent=True,
        body=[paragraph("南门22:00关闭。")],
    )
    course = add_course(course_index, title="社区消杀")
    lesson = add_lesson(
        course,
        title="84消毒液的配比",
        body=[paragraph("1:100稀释。")],
        quiz=[question("配比是？", ["1:10", "1:100"], {1})],
    )
    story = add_story(story_index, title="雪中的一壶热茶")
    from django.utils import translation

    with translation.override("zh-hans"):
        pages = [
            (page, page.url)
            for page in (
                notice_index,
                notice,
                course_index,
                course,
                lesson,
                story_index,
                story,
                section,
                section.get_parent(),
            )
        ]
    home = client.get(f"{prefix}/")
    assert home.status_code == 200
    html = home.content.decode()
    assert ui_text in html and notice.title in html and story.title in html
    from content.models.mixins import heading_of

    for page, url in pages:
        response = client.get(f"{prefix}{url}")
        assert response.status_code == 200, url
        # Index pages are headed in the reader's language; other pages by their title.
        with translation.override("en" if prefix else "zh-hans"):
            assert heading_of(page) in response.content.decode(), url


def test_english_pages_keep_the_english_prefix_in_links(client, notice_index):
    url = add_notice(notice_index, title="测试通知").url
    html = client.get("/en/notices/").content.decode()
    assert f'href="/en{url}"' in html


def test_notice_page_shows_urgent_validity_and_open_graph(client, notice_index):
    notice = add_notice(
        notice_index,
        title="紧急通知",
        urgent=True,
        summary="即日起实行封闭式管理。",
        valid_until=timezone.now() + datetime.timedelta(days=3),
    )
    html = client.get(notice.url).content.decode()
    assert "紧急" in html and "有效期至" in html
    assert '<meta property="og:title" content="紧急通知">' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'property="og:description" content="即日起实行封闭式管理。"' in html


def test_expired_notices_leave_home_and_lists(client, notice_index):
    add_notice(
        notice_index, title="已过期的通知", valid_until=timezone.now() - datetime.timedelta(hours=1)
    )
    add_notice(notice_index, title="仍有效的通知")
    html = client.get("/").content.decode()
    assert "仍有效的通知" in html and "已过期的通知" not in html


def test_targeted_notice_shows_on_its_communities_pages_only(
    client, notice_index, section, other_section, community
):
    add_notice(notice_index, title="给民岳家园的通知", target_communities=[community])
    add_notice(section, title="民岳家园自己的通知")
    mine = client.get(section.url).content.decode()
    other = client.get(other_section.url).content.decode()
    assert "给民岳家园的通知" in mine and "民岳家园自己的通知" in mine
    assert "给民岳家园的通知" not in other and "民岳家园自己的通知" not in other


def test_notices_in_a_section_know_their_community(section, community):
    notice = add_notice(section, title="社区通知")
    assert NoticePage.objects.get(pk=notice.pk).community == community


def test_targeted_notices_reach_volunteers_and_staff_of_those_communities(
    notice_index, community, other_community, coordinator
):
    from content.services import notices_for_user

    add_notice(notice_index, title="给民岳家园", target_communities=[community])
    add_notice(notice_index, title="给蔚园", target_communities=[other_community])
    assert [n.title for n in notices_for_user(coordinator)] == ["给民岳家园"]


def test_story_names_only_those_who_consented(client, story_index):
    story = add_story(
        story_index,
        title="感谢",
        thanked=[
            {
                "type": "party",
                "value": {
                    "kind": "firm",
                    "name": "依文集团",
                    "consent": True,
                    "link": "https://example.org/donations/1/",
                    "note": "口罩",
                },
            },
            {
                "type": "party",
                "value": {
                    "kind": "resident",
                    "name": "张秘密",
                    "consent": False,
                    "note": "口罩一袋",
                },
            },
        ],
    )
    html = client.get(story.url).content.decode()
    assert '<a href="https://example.org/donations/1/">依文集团</a>' in html
    assert "张秘密" not in html and "一位不愿具名的居民" in html
    assert "张秘密" not in StoryPage.objects.get(pk=story.pk).search_text


def test_home_links_to_the_real_indexes(client, indexes):
    html = client.get("/").content.decode()
    for index in indexes:
        assert f'href="{index.url}"' in html


def _queries(client, url):
    client.get(url)  # warm caches that any site keeps (site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _image(title="热茶"):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    return Image.objects.create(title=title, file=get_test_image_file(size=(1200, 800)))


def _add_children(notice_index, story_index, section, start, stop, image=None):
    for n in range(start, stop):
        add_notice(notice_index, publish=False, title=f"通知{n}", summary="摘要")
        add_notice(section, publish=False, title=f"社区通知{n}")
        add_story(story_index, publish=False, title=f"故事{n}", summary="摘要", listing_image=image)


def test_listing_queries_do_not_grow_with_children(
    client, settings, notice_index, story_index, section
):
    """Home, indexes, a section and a story page: the same number of queries with 5 and with
    30 notices and stories (caching off, so every query is counted). 30 fills the listing's
    first page (10) and gives it more pages, so a query per row or per page would show."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    def measure():
        story = StoryPage.objects.live().order_by("pk").first()
        return {
            url: _queries(client, url)
            for url in ("/", notice_index.url, story_index.url, section.url, story.url)
        }

    image = _image()
    _add_children(notice_index, story_index, section, 0, 5, image)
    with_five = measure()
    _add_children(notice_index, story_index, section, 5, 30, image)
    with_thirty = measure()
    assert with_thirty == with_five
    assert max(with_five.values()) <= 25, with_five


def test_home_shows_figures_the_other_apps_provide(client, home, monkeypatch):
    from portal import figures

    monkeypatch.setattr(figures, "donation_totals", lambda: {"received": 4800, "distributed": 3600})
    html = client.get("/").content.decode()
    assert "已接收物资（件）" in html and "4800" in html and "3600" in html


def test_images_render_as_responsive_renditions(client, story_index):
    image = _image()
    story = add_story(
        story_index,
        title="图文故事",
        listing_image=image,
        body=[
            {
                "type": "image_block",
                "value": {"image": image.pk, "caption": "雪中的热茶", "attribution": "社区供图"},
            },
        ],
    )
    html = client.get(story.url).content.decode()
    assert "雪中的热茶" in html and "社区供图" in html
    assert 'srcset="' in html and " 400w" in html and " 800w" in html and ".webp" in html
    assert '<meta property="og:image" content="http://testserver/' in html
    listing = client.get(story_index.url).content.decode()
    assert 'class="thumb"' in listing


def test_moving_a_notice_into_a_section_gives_it_the_community(notice_index, section, community):
    notice = add_notice(notice_index, title="挪到社区的通知")
    assert NoticePage.objects.get(pk=notice.pk).community is None
    notice.move(section, pos="last-child")
    assert NoticePage.objects.get(pk=notice.pk).community == community


def _pages_using(image):
    from wagtail.models import ReferenceIndex

    return {reference.object_id for reference in ReferenceIndex.get_references_to(image).all()}


@pytest.mark.reference_index
def test_an_images_usage_lists_the_story_that_shows_it(story_index):
    """Wagtail's reference index (its image's "usage" screen) follows a story that shows the
    image, as the worker's task keeps it in production."""
    image = _image()
    story = add_story(story_index, title="一杯热茶", summary="摘要", listing_image=image)
    assert _pages_using(image) == {str(story.pk)}


def test_elsewhere_the_tests_leave_the_reference_index_to_its_task(story_index):
    # What the marker above switches on is off elsewhere (tests/conftest.py): a page costs no
    # index update.
    image = _image()
    add_story(story_index, title="一杯热茶", summary="摘要", listing_image=image)
    assert _pages_using(image) == set()

"""Search in Chinese, lesson completion through the site, my courses, feeds, sitemap, API and
the community poster."""

import io
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from content.models import LessonCompletion
from portal import roles
from tests.factories import (
    add_course,
    add_lesson,
    add_notice,
    add_story,
    make_user,
    paragraph,
    question,
)

# --- Chinese search (run the suite with DATABASE_URL=postgres://... to cover PostgreSQL) ---


@pytest.fixture
def searchable(notice_index, course_index, story_index):
    course = add_course(course_index, title="社区消杀课程", summary="志愿者上岗前必学。")
    lesson = add_lesson(
        course,
        title="常用配比",
        body=[
            paragraph(
                "一般物体表面按1:100稀释84消毒液的配比为10毫升加990毫升清水，作用30分钟后擦净。"
            )
        ],
    )
    notice = add_notice(
        notice_index,
        title="关于小区封闭式管理的通知",
        body=[paragraph("居民凭出入证进出，请配合测温登记。")],
    )
    story = add_story(
        story_index,
        title="雪中的一壶热茶",
        body=[paragraph("大雪天，阿姨给北门值守的志愿者送来热茶。")],
    )
    return {"lesson": lesson, "notice": notice, "story": story, "course": course}


def search(client, query, **params):
    return client.get(reverse("content:search"), {"q": query, **params})


def unmarked(response):
    """The page's HTML without the <mark>s that highlight the words (in titles too)."""
    return re.sub(r"</?mark>", "", response.content.decode())


def test_a_chinese_word_inside_a_sentence_finds_the_page(client, searchable):
    response = search(client, "消毒")
    html = response.content.decode()
    assert response.status_code == 200
    assert "常用配比" in html
    assert "<mark>消毒</mark>" in html
    assert "雪中的一壶热茶" not in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("测温", "notice"),
        ("热茶", "story"),
        ("出入证", "notice"),
        ("志愿者", "story"),
        ("上岗前", "course"),
        ("990毫升", "lesson"),
    ],
)
def test_search_finds_each_kind_of_page(client, searchable, query, expected):
    html = unmarked(search(client, query))
    assert searchable[expected].title in html


def test_all_words_must_match(client, searchable):
    html = unmarked(search(client, "消毒 热茶"))
    assert "常用配比" not in html and "雪中的一壶热茶" not in html
    html = unmarked(search(client, "北门 热茶"))
    assert "雪中的一壶热茶" in html


def test_search_ignores_drafts_and_escapes_the_query(client, searchable):
    searchable["story"].unpublish()
    html = unmarked(search(client, "热茶"))
    assert "雪中的一壶热茶" not in html
    html = unmarked(search(client, "<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in html


def test_search_text_follows_the_published_revision(client, searchable):
    story = searchable["story"]
    story.title = "雪中的姜茶"
    story.save_revision()  # a draft: search still shows the live title
    assert "雪中的一壶热茶" in unmarked(search(client, "热茶"))
    story.get_latest_revision().publish()
    assert "雪中的姜茶" in unmarked(search(client, "姜茶"))


def test_search_results_are_paginated(client, notice_index):
    for n in range(23):
        add_notice(notice_index, publish=False, title=f"消毒安排第{n}期")
    first = search(client, "消毒").content.decode()
    assert first.count("<mark>消毒</mark>") >= 10 and "第 1 页，共 3 页" in first
    third = search(client, "消毒", page=3).content.decode()
    assert "第 3 页，共 3 页" in third


def test_highlight_marks_every_term_and_escapes_text():
    from content.search import highlight

    html = highlight("用<b>84消毒液</b>消毒", "消毒")
    assert html == "用&lt;b&gt;84<mark>消毒</mark>液&lt;/b&gt;<mark>消毒</mark>"


# --- Lessons through the site -------------------------------------------------------------


@pytest.fixture
def quiz_lesson(course_index):
    course = add_course(course_index, title="卡口值守", pass_mark=100)
    return add_lesson(
        course,
        title="测体温",
        quiz=[
            question(
                "体温达到多少需要复测？", ["37.0℃", "37.3℃", "38.5℃"], {1}, "37.3℃及以上复测。"
            ),
        ],
    )


def test_quiz_through_the_site(client, quiz_lesson):
    user = make_user(roles.VOLUNTEER, username="quizzer")
    client.force_login(user)
    page = client.get(quiz_lesson.url).content.decode()
    assert 'type="radio"' in page and "体温达到多少需要复测？" in page
    block_id = quiz_lesson.quiz[0].id
    url = reverse("content:lesson_quiz", args=(quiz_lesson.pk,))
    wrong = client.post(url, {f"q-{block_id}": "0"}).content.decode()
    assert "回答错误" in wrong and "37.3℃及以上复测。" in wrong
    assert not LessonCompletion.objects.filter(user=user).exists()
    right = client.post(url, {f"q-{block_id}": "1"}).content.decode()
    assert "已通过" in right
    assert LessonCompletion.objects.get(user=user).score == 100
    mine = client.get(reverse("content:my_courses")).content.decode()
    assert "卡口值守" in mine  # the one-lesson course is complete


def test_reading_a_lesson_through_the_site(client, course_index):
    course = add_course(course_index, title="个人防护")
    lesson = add_lesson(course, title="洗手", body=[paragraph("六步洗手法。")])
    anonymous = client.post(reverse("content:lesson_done", args=(lesson.pk,)))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    user = make_user(username="reader")
    client.force_login(user)
    response = client.post(reverse("content:lesson_done", args=(lesson.pk,)), follow=True)
    assert "您已完成课程" in response.content.decode() or "太好了" in response.content.decode()
    assert LessonCompletion.objects.filter(user=user, lesson=lesson).exists()


def test_my_courses_needs_login(client, home):
    response = client.get(reverse("content:my_courses"))
    assert response.status_code == 302


# --- Feeds, sitemap, API --------------------------------------------------------------------


def test_rss_and_atom_feeds_list_live_notices(client, notice_index):
    add_notice(notice_index, title="紧急：南门关闭", urgent=True, summary="22:00关闭")
    draft = add_notice(notice_index, title="草稿通知")
    draft.unpublish()
    rss = client.get(reverse("content:notices_rss"))
    assert rss["Content-Type"].startswith("application/rss+xml")
    items = ET.fromstring(rss.content).findall("./channel/item")  # noqa: S314 - our own feed
    assert [item.findtext("title") for item in items] == ["【紧急】紧急：南门关闭"]
    assert items[0].findtext("link").startswith("http://testserver/notices/")
    atom = client.get(reverse("content:notices_atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "紧急：南门关闭" in atom.content.decode()
    # A valid Atom feed names an author (RFC 4287 4.1.1): the office that publishes.
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(atom.content)  # noqa: S314 - our own feed
    assert feed.findtext("atom:author/atom:name", namespaces=ns) == "卢沟桥街道办事处"


def test_sitemap_lists_live_pages(client, notice_index, story_index):
    notice = add_notice(notice_index, title="地图通知")
    draft = add_story(story_index, title="草稿故事")
    draft.unpublish()
    xml = client.get("/sitemap.xml").content.decode()
    assert f"http://localhost{notice.url}" in xml or notice.url in xml
    assert draft.slug not in xml


def test_api_serves_published_pages_only(client, notice_index):
    live = add_notice(notice_index, title="公开通知")
    draft = add_notice(notice_index, title="未发布通知")
    draft.unpublish()
    response = client.get("/api/v2/pages/", {"type": "content.NoticePage"})
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["items"]]
    assert "公开通知" in titles and "未发布通知" not in titles
    assert client.get(f"/api/v2/pages/{live.pk}/").status_code == 200
    assert client.get(f"/api/v2/pages/{draft.pk}/").status_code == 404
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code in (403, 405)


# --- QR poster ------------------------------------------------------------------------------


def _poster(client, community):
    return client.get(reverse("content:poster", args=(community.slug,)))


def test_poster_is_an_a4_pdf_with_chinese_text_and_a_decodable_qr(
    client, community, coordinator, tmp_path
):
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    client.force_login(coordinator)
    response = _poster(client, community)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297
    text = reader.pages[0].extract_text()
    assert "志愿者招募" in text and community.name in text and "扫描" in text
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(tmp_path / "poster")],
        check=True,
    )
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "poster.png"))
    assert [code.text for code in codes] == [f"http://testserver/volunteers/join/{community.slug}/"]


def test_poster_is_for_that_communitys_staff_only(
    client, community, other_coordinator, coordinator, subdistrict_admin
):
    assert _poster(client, community).status_code == 302  # log in first
    client.force_login(other_coordinator)
    assert _poster(client, community).status_code == 404
    client.force_login(make_user(roles.VOLUNTEER, username="v1"))
    assert _poster(client, community).status_code == 404
    client.force_login(make_user(roles.EDITOR, [community], username="e1"))
    assert _poster(client, community).status_code == 200
    client.force_login(subdistrict_admin)
    assert _poster(client, community).status_code == 200


def test_api_does_not_give_away_quiz_answers_or_unconsented_names(
    client, course_index, story_index
):
    course = add_course(course_index, title="课程")
    lesson = add_lesson(
        course,
        title="有测验的课",
        body=[paragraph("正文")],
        quiz=[question("答案是？", ["甲", "乙"], {1})],
    )
    story = add_story(
        story_index,
        title="故事",
        thanked=[
            {"type": "party", "value": {"kind": "resident", "name": "张秘密", "consent": False}}
        ],
    )
    lesson_json = client.get(f"/api/v2/pages/{lesson.pk}/").json()
    assert lesson_json["estimated_minutes"] == 5 and "quiz" not in lesson_json
    story_json = client.get(f"/api/v2/pages/{story.pk}/").content.decode()
    assert "张秘密" not in story_json


def test_poster_shows_the_communitys_phone_or_the_subdistricts(client, community, coordinator):
    from pypdf import PdfReader

    client.force_login(coordinator)
    community.phone = "010-63812002"
    community.save()
    text = PdfReader(io.BytesIO(_poster(client, community).content)).pages[0].extract_text()
    assert "010-63812002" in text and "请联系社区居委会" not in text
    community.phone = ""
    community.save()
    community.subdistrict.phone = "010-63811234"
    community.subdistrict.save()
    text = PdfReader(io.BytesIO(_poster(client, community).content)).pages[0].extract_text()
    assert "010-63811234" in text and "请联系社区居委会" not in text

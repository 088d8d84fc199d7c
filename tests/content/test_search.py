"""Search ranks title matches first, then summaries, then body text; marks the words safely;
and keeps a long query bounded (issue 12)."""

import re

from django.urls import reverse

from content.search import MAX_QUERY_LENGTH
from tests.factories import add_course, add_lesson, add_notice, add_story, paragraph


def titles(client, query):
    html = client.get(reverse("content:search"), {"q": query}).content.decode()
    found = re.findall(r'<li class="item">.*?<a href="[^"]*">(.*?)</a>', html, re.S)
    return [re.sub(r"</?mark>", "", title) for title in found], html


def test_title_matches_come_first_then_summaries_then_body_text(
    client, notice_index, course_index, story_index
):
    # Published oldest first, so "newest first" alone would list them in reverse.
    course = add_course(course_index, title="社区消毒课程", summary="志愿者上岗前必学。")
    add_lesson(course, title="个人防护", search_description="用过的抹布用消毒液浸泡。")
    add_notice(notice_index, title="楼道清洁安排", summary="每天两次消毒楼道。")
    add_story(story_index, title="一壶热茶", body=[paragraph("阿姨送来热茶，还帮忙给门把手消毒。")])
    add_notice(notice_index, title="消毒的安排", body=[paragraph("见附件。")])
    found, _html = titles(client, "消毒")
    assert found[:2] == ["消毒的安排", "社区消毒课程"]  # the word earlier in the title first
    assert set(found[2:4]) == {"楼道清洁安排", "个人防护"}  # summaries
    assert found[4] == "一壶热茶"  # body text last


def test_matched_words_are_marked_in_titles_and_excerpts_and_page_text_is_escaped(
    client, notice_index
):
    add_notice(
        notice_index,
        title="<b>消毒</b>通知",
        summary="配比 A&B 消毒液 x<y",
    )
    _found, html = titles(client, "消毒")
    assert "&lt;b&gt;<mark>消毒</mark>&lt;/b&gt;通知" in html
    assert "A&amp;B <mark>消毒</mark>液 x&lt;y" in html


def test_a_very_long_query_is_cut_to_the_bound(client, notice_index):
    add_notice(notice_index, title="消毒通知")
    query = "消毒" + "x" * 5000
    html = client.get(reverse("content:search"), {"q": query}).content.decode()
    assert "x" * MAX_QUERY_LENGTH not in html
    assert "x" * (MAX_QUERY_LENGTH - 2) in html

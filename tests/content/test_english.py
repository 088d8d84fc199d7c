"""Under /en/ the site's frame is English: the main navigation and the index pages' headings
come from the catalogue, not from the editors' Chinese page titles (issue 12)."""

import re


def main_nav(html):
    return re.search(r'<nav class="wrap main-nav".*?</nav>', html, re.S).group(0)


def h1(html):
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def test_the_main_navigation_is_english_under_en(client, notice_index, course_index, story_index):
    nav = main_nav(client.get("/en/").content.decode())
    for label in ("Notices", "Prevention courses", "Stories", "Search"):
        assert f">{label}</a>" in nav
    assert not re.search(r"[\u4e00-\u9fff]", nav), nav
    chinese = main_nav(client.get("/").content.decode())
    assert ">通知公告</a>" in chinese and ">防疫课堂</a>" in chinese


def test_index_pages_and_breadcrumbs_are_headed_in_english_under_en(client, notice_index):
    from tests.factories import add_notice

    notice = add_notice(notice_index, title="返京人员请主动报备")
    assert h1(client.get("/en/notices/").content.decode()) == "Notices"
    assert h1(client.get("/notices/").content.decode()) == "通知公告"
    page = client.get(f"/en{notice.url}").content.decode()
    assert ">Notices</a>" in page  # the breadcrumb
    assert h1(page) == "返京人员请主动报备"  # content stays as written
    home = client.get("/en/").content.decode()
    assert h1(home) == "Lugouqiao Subdistrict Volunteer and Donation Portal"

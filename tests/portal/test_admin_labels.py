"""What the back office shows in its lists and pages reads as words, in Chinese: yes/no columns
as Wagtail's tick and cross (not True/False), weekly availability by weekday name."""

import re

import pytest

from tests.factories import ItemFactory, VolunteerProfileFactory


@pytest.mark.django_db
def test_yes_no_columns_show_a_tick_not_true_or_false(client, subdistrict_admin):
    ItemFactory(name="医用外科口罩", active=True)
    ItemFactory(name="旧款护目镜", active=False)
    client.force_login(subdistrict_admin)
    html = client.get("/admin/donations_items/").content.decode()
    assert "医用外科口罩" in html
    start = html.rindex("<tbody", 0, html.index("医用外科口罩"))  # the listing, not the shortcuts
    cells = html[start : html.index("</tbody>", start)]
    words = re.sub(r"<[^>]+>", " ", cells).split()
    assert "True" not in words and "False" not in words
    assert "#icon-check" in cells and "#icon-cross" in cells and "是" in words and "否" in words


@pytest.mark.django_db
def test_review_page_names_weekdays(client, coordinator, community):
    profile = VolunteerProfileFactory(
        community=community,
        status="pending",
        availability={"0": [["07:00", "12:00"]], "6": [["12:00", "19:00"]]},
    )
    client.force_login(coordinator)
    html = client.get(f"/admin/volunteering/profiles/{profile.pk}/review/").content.decode()
    assert "星期一 07:00-12:00" in html and "星期日 12:00-19:00" in html
    assert "0: 07:00" not in html


@pytest.mark.django_db
def test_dashboard_counts_link_to_the_lists_they_count(client, coordinator, community, compound):
    from assistance.models import HelpRequest
    from tests.factories import HelpRequestFactory

    VolunteerProfileFactory(community=community, status="pending", real_name="待审核甲")
    VolunteerProfileFactory(community=community, status="verified", real_name="已审核乙")
    urgent = HelpRequestFactory(compound=compound, urgency=HelpRequest.Urgency.URGENT)
    normal = HelpRequestFactory(compound=compound, urgency=HelpRequest.Urgency.NORMAL)
    client.force_login(coordinator)
    home = client.get("/admin/").content.decode()
    links = dict(
        (text.strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]*(?:待|紧急|空缺)[^<]*)</a>', home)
    )
    pending = next(href for text, href in links.items() if "待" in text)
    listed = client.get(pending).content.decode()
    assert "待审核甲" in listed and "已审核乙" not in listed
    urgent_list = next(href for text, href in links.items() if "紧急" in text)
    listed = client.get(urgent_list).content.decode()
    assert f">#{urgent.pk}<" in listed and f">#{normal.pk}<" not in listed
    assert any("start__date__gte" in href for href in links.values())

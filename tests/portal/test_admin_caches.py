"""What the back office's dashboard keeps in the shared cache (issue 13, point 2): Wagtail's
sidebar per person (portal/admin/sidebar.py), the supply charts for everyone and the open
requests per person (donations/panels.py), and the "does this person edit pages?" answer
(portal/wagtail_hooks.py). Each is reused while nothing it shows changes and follows a change
at once."""

import re

import pytest
from django.contrib.auth.models import Group
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from portal import roles
from portal.admin import sidebar
from tests.factories.donations import ItemFactory, LocationFactory, PledgeFactory, PledgeLineFactory

pytestmark = pytest.mark.django_db


def sidebar_urls(page):
    found = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>', page, re.S)
    assert found, "the sidebar's props are on the page"
    return set(re.findall(r'"url": "([^"]+)"', found.group(1)))


@pytest.fixture
def builds(monkeypatch):
    """How many times Wagtail built the sidebar."""
    calls = []
    original = sidebar.wagtail_sidebar_props

    def counting(context):
        calls.append(1)
        return original(context)

    monkeypatch.setattr(sidebar, "wagtail_sidebar_props", counting)
    return calls


def test_the_sidebar_is_built_once_per_person_and_follows_a_new_role_at_once(
    client, coordinator, builds
):
    client.force_login(coordinator)
    before = sidebar_urls(client.get("/admin/").content.decode())
    assert sidebar_urls(client.get("/admin/volunteering/posts/").content.decode()) == before
    assert len(builds) == 1  # the second page took it from the cache

    coordinator.groups.add(Group.objects.get(name=roles.WAREHOUSE))
    after = sidebar_urls(client.get("/admin/").content.decode())
    assert len(builds) == 2
    assert after > before  # the warehouse's screens are in her menu from the next page on

    coordinator.groups.remove(Group.objects.get(name=roles.WAREHOUSE))
    assert sidebar_urls(client.get("/admin/").content.decode()) == before


def test_two_people_never_share_a_sidebar(client, coordinator, warehouse_keeper, builds):
    client.force_login(coordinator)
    theirs = sidebar_urls(client.get("/admin/").content.decode())
    client.force_login(warehouse_keeper)
    mine = sidebar_urls(client.get("/admin/").content.decode())
    assert mine != theirs and len(builds) == 2


def test_the_sidebar_is_kept_per_language(coordinator, builds):
    from portal.accounts.permissions import cached_permissions

    request = RequestFactory().get("/admin/")
    request.user = coordinator
    cached_permissions(coordinator, lambda: set())  # a permission generation exists
    template = Template("{% load wagtailadmin_tags %}{% sidebar_props %}")
    with translation.override("zh-hans"):
        chinese = template.render(Context({"request": request}))
    with translation.override("en"):
        english = template.render(Context({"request": request}))
        assert template.render(Context({"request": request})) == english
    assert "Log out" in english and "Log out" not in chinese  # Wagtail says it in Chinese
    assert len(builds) == 2


def panel(page, heading_id):
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', page, re.S)
    assert found, f"the {heading_id} panel is on the dashboard"
    return found.group(0)


def test_the_supply_charts_are_shared_and_follow_a_movement(
    client, warehouse_keeper, coordinator, community
):
    from donations import services

    client.force_login(warehouse_keeper)
    empty = panel(client.get("/admin/").content.decode(), "supplies-charts")
    pledge = PledgeFactory()
    line = PledgeLineFactory(pledge=pledge, item=ItemFactory(name="口罩样品"), quantity=300)
    services.receive(
        pledge, LocationFactory(), [{"pledge_line": line, "accepted": 300}], user=warehouse_keeper
    )
    received = panel(client.get("/admin/").content.decode(), "supplies-charts")
    assert received != empty and "口罩样品" in received


def test_a_new_supply_request_is_on_the_warehouse_dashboard_at_once(
    client, warehouse_keeper, community
):
    from donations.services.supply import request_supplies

    client.force_login(warehouse_keeper)
    before = panel(client.get("/admin/").content.decode(), "open-requests")
    assert "消毒液样品" not in before
    request_supplies(community, [(ItemFactory(name="消毒液样品"), 40)], purpose="卡口消毒")
    assert "消毒液样品" in panel(client.get("/admin/").content.decode(), "open-requests")


def test_a_page_permission_given_to_a_group_counts_at_once(coordinator, community):
    from wagtail.models import GroupPagePermission, Page

    from portal.wagtail_hooks import drop_page_panels_for_people_without_pages

    class Panel:
        def __init__(self, name):
            self.name = name

    def kept():
        request = RequestFactory().get("/admin/")
        request.user = type(coordinator).objects.get(pk=coordinator.pk)  # as a request loads it
        panels = [Panel("recent_edits"), Panel("supply_alerts")]
        drop_page_panels_for_people_without_pages(request, panels)
        return [p.name for p in panels]

    assert kept() == ["supply_alerts"]
    assert kept() == ["supply_alerts"]  # from the cache
    group = Group.objects.get(name=roles.COORDINATOR)
    GroupPagePermission.objects.create(
        group=group, page=Page.get_first_root_node(), permission_type="change"
    )
    assert kept() == ["recent_edits", "supply_alerts"]

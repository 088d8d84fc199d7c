"""The coordinator's volunteering work sits in one submenu of the back office's sidebar: the
lists (volunteers, tasks, shifts...) and the screens that are not lists (duty grid, hours to
confirm, messages, star levels, service records...), none of them loose at the top level."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from wagtail.admin.menu import admin_menu

VOLUNTEERING_SCREENS = {
    "值守排班表",
    "待确认时长",
    "志愿者消息",
    "志愿服务记录",
}


def _menu(user):
    reverse("wagtailadmin_home")  # the admin's URLs register its viewsets and their menus
    request = RequestFactory().get("/admin/")
    request.user = user
    with translation.override("zh-hans"):
        top = admin_menu.menu_items_for_request(request)
        labels = {str(item.label): item for item in top}
        group = labels.get("志愿服务")
        inside = (
            {str(item.label) for item in group.menu.menu_items_for_request(request)}
            if group
            else set()
        )
        return set(labels), inside


@pytest.mark.django_db
def test_volunteering_screens_are_in_the_volunteering_submenu(coordinator):
    top, inside = _menu(coordinator)
    assert "志愿服务" in top, "|".join(sorted(top))
    assert not VOLUNTEERING_SCREENS & top
    assert VOLUNTEERING_SCREENS <= inside, inside

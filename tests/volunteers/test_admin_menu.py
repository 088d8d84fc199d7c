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


@pytest.mark.django_db
def test_each_screen_shows_to_whom_its_permission_allows_in_the_tables_order(django_user_model):
    """Each row of volunteers/admin_menu.SCREENS is one item of its own (its label, its URL),
    in the table's order, shown only with its permission."""
    from volunteers.admin_menu import SCREENS

    with translation.override("zh-hans"):
        labels = [str(label) for label, *_rest in SCREENS]
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser("root", password="x")
    reverse("wagtailadmin_home")
    with translation.override("zh-hans"):
        group = {str(item.label): item for item in admin_menu.menu_items_for_request(request)}[
            "志愿服务"
        ]
        items = group.menu.menu_items_for_request(request)
        shown = [str(item.label) for item in items if str(item.label) in labels]
        urls = {str(item.label): item.url for item in items}
    assert shown == labels  # every screen, in the table's order
    assert [urls[label] for label in labels] == [reverse(name) for _l, name, *_r in SCREENS]
    # without a screen's permission its item is not shown
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_shift", content_type__app_label="volunteers"),
    )
    request.user = django_user_model.objects.get(pk=viewer.pk)
    _top, inside = _menu(request.user)
    assert "值守排班表" in inside and "待确认时长" not in inside, inside


@pytest.mark.django_db
def test_the_supply_actions_and_help_requests_are_top_level_items_shown_by_permission(
    django_user_model,
):
    """portal.admin_menu.register_screens serves the donations actions and the help requests
    too: each row its own item, with its URL, only for whom holds its permission."""
    from django.contrib.auth.models import Permission

    from donations.wagtail_hooks import _ACTIONS

    reverse("wagtailadmin_home")
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser("root", password="x")
    with translation.override("zh-hans"):
        rows = [(str(label), reverse(name)) for label, name, *_r in _ACTIONS]
        rows.append(("居民求助", reverse("assistance_admin:requests")))
        items = {str(i.label): i.url for i in admin_menu.menu_items_for_request(request)}
        assert [(label, items.get(label)) for label, _url in rows] == rows

        keeper = django_user_model.objects.create_user("keeper", password="x", is_staff=True)
        keeper.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="view_lot"),
        )
        request.user = django_user_model.objects.get(pk=keeper.pk)
        shown = {str(i.label) for i in admin_menu.menu_items_for_request(request)}
    assert shown & {label for label, _url in rows} == {"批次与标签"}, shown

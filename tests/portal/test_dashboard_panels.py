"""Wagtail's page-only dashboard panels are left out for staff who edit no page (they would be
empty), and kept for editors and for reviewers of a page workflow (issue 13, point 2)."""

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from wagtail.admin.views.home import HomeView
from wagtail.models import GroupApprovalTask

from portal import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PAGE_PANELS = {
    "recent_edits",
    "locked_pages",
    "user_objects_in_workflow_moderation",
    "workflow_objects_to_moderate",
}


def panel_names(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    view = HomeView()
    view.setup(request)
    return {getattr(panel, "name", "") for panel in view.get_panels()}


def test_a_coordinator_gets_no_page_panels(coordinator):
    names = panel_names(coordinator)
    assert not names & PAGE_PANELS
    assert "coordination" in names  # the coordination panel stays


def test_an_editor_keeps_the_page_panels():
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission, Page

    editor = make_user(roles.EDITOR, username="panel-editor")
    group = Group.objects.create(name="page editors")
    GroupPagePermission.objects.create(
        group=group,
        page=Page.get_first_root_node(),
        permission=Permission.objects.get(codename="change_page"),
    )
    editor.groups.add(group)
    assert PAGE_PANELS <= panel_names(editor)


def test_a_reviewer_without_pages_keeps_the_moderation_list(coordinator):
    group = Group.objects.create(name="reviewers")
    coordinator.groups.add(group)
    task = GroupApprovalTask.objects.create(name="review")
    task.groups.add(group)
    names = panel_names(coordinator)
    assert "workflow_objects_to_moderate" in names
    assert "recent_edits" not in names


def test_the_dashboard_still_opens_for_both(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/admin/").status_code == 200
    client.force_login(make_user(roles.EDITOR, username="panel-editor2"))
    assert client.get("/admin/").status_code == 200

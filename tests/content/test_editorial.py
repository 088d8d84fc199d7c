"""Community sections and editorial control: an editor edits only their community's section,
a community editor's notice waits for a subdistrict editor's approval, scheduled publishing."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from content import services
from content.models import CommunitySectionPage, NoticePage
from tests.factories import add_notice


def notice_form(title, slug, action):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": "2026-11-30",
            "urgent": "on",
            "summary": "南门22:00关闭",
            "body": streamfield([]),
            "attachments": inline_formset([]),
            "comments": inline_formset([]),
            action: "1",
        }
    )


def add_url(parent):
    return reverse("wagtailadmin_pages:add", args=("content", "noticepage", parent.pk))


def test_setup_is_idempotent_and_makes_one_group_per_community(section, community, home):
    again = services.setup_community_section(community, home)
    assert again.pk == section.pk
    assert CommunitySectionPage.objects.filter(community=community).count() == 1
    from django.contrib.auth.models import Group

    assert Group.objects.filter(name=services.community_editor_group_name(community)).count() == 1


def test_community_editors_join_their_communitys_group_only(
    section, other_section, community_editor, community, other_community
):
    services.sync_community_editors(community)
    services.sync_community_editors(other_community)
    names = set(community_editor.groups.values_list("name", flat=True))
    assert services.community_editor_group_name(community) in names
    assert services.community_editor_group_name(other_community) not in names


def test_management_command_sets_up_a_new_community(home, editorial, community_editor, community):
    call_command("setup_community_section", community.slug, verbosity=0)
    section = CommunitySectionPage.objects.get(community=community)
    assert section.live and section.get_parent().slug == "communities"
    assert community_editor.groups.filter(
        name=services.community_editor_group_name(community)
    ).exists()


def test_editor_can_edit_own_section_but_not_anothers(
    client, section, other_section, community_editor, community
):
    services.sync_community_editors(community)
    mine = add_notice(section, title="民岳家园通知")
    theirs = add_notice(other_section, title="蔚园通知")
    client.force_login(community_editor)
    assert client.get(reverse("wagtailadmin_pages:edit", args=(mine.pk,))).status_code == 200
    response = client.get(reverse("wagtailadmin_pages:edit", args=(theirs.pk,)))
    assert response.status_code in (302, 403)
    assert client.get(add_url(other_section)).status_code in (302, 403)
    assert not theirs.permissions_for_user(community_editor).can_edit()
    # Nor anywhere outside their section (the subdistrict's notices).
    home = Page.objects.get(depth=2)
    assert not home.permissions_for_user(community_editor).can_add_subpage()


def test_community_editor_submits_and_subdistrict_editor_approves(
    client, section, community, community_editor, subdistrict_editor
):
    services.sync_community_editors(community)
    services.setup_editorial()
    client.force_login(community_editor)
    response = client.post(
        add_url(section), notice_form("南门22:00关闭", "south-gate", "action-submit")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = NoticePage.objects.get(slug="south-gate")
    assert not notice.live
    state = notice.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert state.workflow.name == services.MODERATION_WORKFLOW
    # A community editor cannot publish it themselves.
    assert not notice.permissions_for_user(community_editor).can_publish()

    client.force_login(subdistrict_editor)
    task_state = notice.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(notice.pk, "approve", task_state.pk)),
        {"comment": ""},
    )
    assert response.status_code in (200, 302)
    notice.refresh_from_db()
    assert notice.live
    assert notice.community == community
    html = client.get(section.url).content.decode()
    assert "南门22:00关闭" in html


def test_a_draft_is_not_public_and_keeps_its_revisions(
    client, section, community, community_editor
):
    services.sync_community_editors(community)
    client.force_login(community_editor)
    client.post(add_url(section), notice_form("草稿通知", "draft-notice", "action-save"))
    notice = NoticePage.objects.get(slug="draft-notice")
    assert not notice.live and notice.revisions.count() == 1
    client.logout()
    assert client.get(f"/communities/{section.slug}/draft-notice/").status_code == 404


def test_scheduled_publishing_goes_live_with_publish_scheduled(notice_index):
    notice = add_notice(notice_index, publish=False, title="定时通知")
    NoticePage.objects.filter(pk=notice.pk).update(live=False)
    notice.refresh_from_db()
    notice.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = notice.save_revision()
    revision.publish()  # as "Publish" in the admin: scheduled, not live
    notice.refresh_from_db()
    revision.refresh_from_db()
    assert not notice.live and revision.approved_go_live_at is not None
    call_command("publish_scheduled")
    notice.refresh_from_db()
    assert not notice.live
    # An hour later (moved back rather than waiting): the command publishes it.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    call_command("publish_scheduled")
    notice.refresh_from_db()
    assert notice.live


def test_expiry_unpublishes(notice_index):
    notice = add_notice(notice_index, title="会过期的通知")
    NoticePage.objects.filter(pk=notice.pk).update(
        expire_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    call_command("publish_scheduled")
    notice.refresh_from_db()
    assert not notice.live and notice.expired


@pytest.mark.parametrize("role_fixture", ["community_editor", "subdistrict_editor"])
def test_editors_can_upload_images(client, editorial, role_fixture, request, section):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    assert client.get(reverse("wagtailimages:add")).status_code == 200


def test_sections_screen_is_scoped_and_only_admins_set_up(
    client, home, editorial, coordinator, subdistrict_admin, community, other_community
):
    url = reverse("content_community_sections")
    client.force_login(coordinator)
    html = client.get(url).content.decode()
    assert community.name in html and other_community.name not in html
    assert reverse("content:poster", args=(community.slug,)) in html
    # Wagtail's admin turns PermissionDenied into a redirect with an error message.
    assert client.post(url).status_code in (302, 403)
    assert not CommunitySectionPage.objects.exists()
    client.force_login(subdistrict_admin)
    assert client.post(url).status_code == 302
    assert set(CommunitySectionPage.objects.values_list("community__slug", flat=True)) == {
        community.slug,
        other_community.slug,
    }

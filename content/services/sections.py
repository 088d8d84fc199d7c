"""Community sections, who may edit them, and the moderation workflow.

Page permissions in Wagtail belong to groups, and portal.roles has one EDITOR role for every
editor, so the role alone cannot say *where* an editor may write. This module adds:

- one group per community, "社区编辑·<name>", holding add/change (not publish) on that
  community's section; EDITOR-role users with a StaffMembership for the community are its
  members (sync_community_editors keeps that true);
- one group SUBDISTRICT_EDITORS holding add/change/publish on the whole site; EDITOR-role users
  who serve no community are its members, and it approves in the moderation workflow;
- a workflow MODERATION_WORKFLOW (one GroupApprovalTask for SUBDISTRICT_EDITORS) on the home
  page, so a community editor's "submit for moderation" waits for a subdistrict editor.

Everything here is idempotent; `setup_editorial()` and `setup_community_section(community)`
run from the demo data, the `setup_community_section` command and the admin's
"Community sections" screen.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.text import slugify

from content.models import (
    CommunityIndexPage,
    CommunitySectionPage,
    HomePage,
    NoticePage,
)
from portal import roles

SUBDISTRICT_EDITORS = "街道编辑（审核）"
MODERATION_WORKFLOW = "社区内容审核"
APPROVAL_TASK = "街道编辑审核"
COMMUNITY_EDITOR_PREFIX = "社区编辑·"

COMMUNITY_PAGE_PERMISSIONS = ["add_page", "change_page"]
SUBDISTRICT_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
]


def community_editor_group_name(community):
    return f"{COMMUNITY_EDITOR_PREFIX}{community.name}"


def _page_permission(codename):
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _grant_page_permissions(group, page, codenames):
    from wagtail.models import GroupPagePermission

    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(codename)
        )


def _home():
    home = HomePage.objects.first()
    if home is None:
        raise LookupError("No HomePage: run load_demo_data or create the site first.")
    return home


def community_index(home=None):
    """The 社区 page under home, created when missing."""
    home = home or _home()
    index = CommunityIndexPage.objects.child_of(home).first()
    if index is None:
        index = CommunityIndexPage(
            title="社区", slug="communities", intro="各社区的通知公告和暖心故事。"
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


@transaction.atomic
def setup_editorial(home=None):
    """The subdistrict editors' group and permissions, image and document permissions for
    every editor, and the moderation workflow on the home page."""
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    home = home or _home()
    reviewers, _created = Group.objects.get_or_create(name=SUBDISTRICT_EDITORS)
    reviewers.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    _grant_page_permissions(reviewers, home, SUBDISTRICT_PAGE_PERMISSIONS)

    editors = Group.objects.get(name=roles.EDITOR)
    root_collection = Collection.get_first_root_node()
    for app_label, codename in EDITOR_COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=editors,
            collection=root_collection,
            permission=Permission.objects.get(content_type__app_label=app_label, codename=codename),
        )

    workflow, _created = Workflow.objects.get_or_create(name=MODERATION_WORKFLOW)
    task = GroupApprovalTask.objects.filter(name=APPROVAL_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=APPROVAL_TASK)
    task.groups.set([reviewers])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    sync_subdistrict_editors()
    return workflow


def sync_subdistrict_editors():
    """EDITOR-role users who serve no community review and publish for the whole site."""
    from portal.models import User

    reviewers = Group.objects.get(name=SUBDISTRICT_EDITORS)
    wanted = set(
        User.objects.filter(groups__name=roles.EDITOR, memberships__isnull=True).values_list(
            "pk", flat=True
        )
    )
    current = set(reviewers.user_set.values_list("pk", flat=True))
    reviewers.user_set.add(*(wanted - current))
    reviewers.user_set.remove(*(current - wanted))


@transaction.atomic
def setup_community_section(community, home=None):
    """The community's section page, its editors' group with add/change on it, and the group's
    members. Safe to run again (for instance after adding a community editor)."""
    index = community_index(home)
    section = CommunitySectionPage.objects.filter(community=community).first()
    if section is None:
        slug = community.slug or slugify(community.name, allow_unicode=True)
        section = CommunitySectionPage(
            title=community.name,
            slug=slug,
            community=community,
            intro=f"{community.name}的通知公告和暖心故事。",
        )
        index.add_child(instance=section)
        section.save_revision().publish()
    group, _created = Group.objects.get_or_create(name=community_editor_group_name(community))
    _grant_page_permissions(group, section, COMMUNITY_PAGE_PERMISSIONS)
    sync_community_editors(community)
    return section


def sync_community_editors(community):
    """Make the community's editors' group hold exactly the EDITOR-role users who serve it."""
    from portal.models import User

    group = Group.objects.get(name=community_editor_group_name(community))
    wanted = set(
        User.objects.filter(
            groups__name=roles.EDITOR, memberships__community=community
        ).values_list("pk", flat=True)
    )
    current = set(group.user_set.values_list("pk", flat=True))
    group.user_set.add(*(wanted - current))
    group.user_set.remove(*(current - wanted))


def user_community_ids(user):
    """The communities whose notices `user` should see: those they serve as staff and, when the
    volunteers app is installed, their volunteer profile's home community."""
    from portal.scoping import community_ids

    ids = set(community_ids(user))
    profile = getattr(user, "volunteer_profile", None) if user.is_authenticated else None
    if profile is not None and getattr(profile, "community_id", None):
        ids.add(profile.community_id)
    return ids


def notices_for_user(user):
    """Notices not yet ended targeted at (or published in the section of) the user's
    communities."""
    from django.db.models import Q

    ids = user_community_ids(user)
    if not ids:
        return NoticePage.objects.none()
    return (
        NoticePage.objects.listing()
        .not_ended()
        .filter(Q(community_id__in=ids) | Q(target_communities__in=ids))
        .distinct()
    )

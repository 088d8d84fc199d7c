"""The portal's screens in the Wagtail admin: the place directory, staff memberships and the
audit trail."""

from django.urls import path
from wagtail import hooks

from portal import audit
from portal.admin.base import refuse_bulk_delete
from portal.admin.places import PlacesViewSetGroup
from portal.audit_views import AuditEventViewSet
from portal.importexport.views import ImportJobView


@hooks.register("register_admin_viewset")
def register_places():
    return PlacesViewSetGroup()


@hooks.register("register_admin_viewset")
def register_audit_trail():
    return AuditEventViewSet()


@hooks.register("register_log_actions")
def register_audit_actions(actions):
    audit.register_wagtail_actions(actions)


hooks.register("before_bulk_action", refuse_bulk_delete)


@hooks.register("before_serve_page")
def allow_page_cache(page, request, serve_args, serve_kwargs):
    """Every Wagtail page may come from the page cache for anonymous visitors (portal.pagecache
    decides whether this response may be stored); page types with live figures stay shorter."""
    from django.conf import settings

    from portal import pagecache

    label = page.specific_class._meta.label_lower if page.specific_class else ""
    seconds = settings.PAGE_CACHE_SECONDS_BY_TYPE.get(label, settings.PAGE_CACHE_SECONDS)
    pagecache.allow(request, seconds, query=("page",))


@hooks.register("register_admin_urls")
def register_import_jobs():
    # A background import's progress and outcome (portal.importexport.jobs), for its owner only.
    return [path("imports/<int:pk>/", ImportJobView.as_view(), name="portal_import_job")]


@hooks.register("register_admin_urls")
def register_document_jobs():
    # Batches of documents made on the worker (portal.document_jobs): their pages and files.
    from portal import document_jobs_views as views

    return [
        path("files/", views.job_list, name="portal_document_jobs"),
        path("files/<int:pk>/", views.JobView.as_view(), name="portal_document_job"),
        path("files/<int:pk>/download/", views.job_file, name="portal_document_job_file"),
    ]


@hooks.register("insert_global_admin_css")
def admin_css():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<link rel="stylesheet" href="{}">', static("portal/css/admin.css"))


# Wagtail's own dashboard panels that only ever list pages (and, here, nothing else: no snippet
# has drafts, locks or workflows): empty for staff who edit no page, yet about a third of the
# coordinator's dashboard time (issue 13, point 2).
PAGE_ONLY_PANELS = {"recent_edits", "locked_pages", "user_objects_in_workflow_moderation"}
PAGE_ACTIONS = ["add", "change", "publish", "lock", "unlock", "bulk_delete"]


@hooks.register("construct_homepage_panels")
def drop_page_panels_for_people_without_pages(request, panels):
    from portal.accounts.permissions import cached_for_user

    user = request.user
    if user.is_superuser:
        return
    edits_pages, reviews_pages = cached_for_user(user, "page-panels", lambda: _page_work(user))
    if edits_pages:
        return
    drop = set(PAGE_ONLY_PANELS)
    # a reviewer of a page workflow may review without editing: keep their list
    if not reviews_pages:
        drop.add("workflow_objects_to_moderate")
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") not in drop]


def _page_work(user):
    """(may `user` edit any page, does `user` review pages in an active workflow task)."""
    from wagtail.models import GroupApprovalTask
    from wagtail.permission_policies.pages import PagePermissionPolicy

    return (
        PagePermissionPolicy().user_has_any_permission(user, PAGE_ACTIONS),
        GroupApprovalTask.objects.filter(active=True, groups__user=user).exists(),
    )

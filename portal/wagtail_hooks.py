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


@hooks.register("register_admin_urls")
def register_import_jobs():
    # A background import's progress and outcome (portal.importexport.jobs), for its owner only.
    return [path("imports/<int:pk>/", ImportJobView.as_view(), name="portal_import_job")]

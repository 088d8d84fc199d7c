"""The audit trail in the back office (Reports -> Audit trail), and Wagtail's site-history
report scoped like every other listing.

Audit trail: a read-only listing of `AuditEvent`s with filters (action, user, date), passed
through portal.scoping: a subdistrict admin sees every event, a coordinator the events about
their own communities' records. No add, edit or delete view exists, and the model has only the
"view" permission.

Site history (/admin/reports/site-history/): Wagtail shows every log entry of a type the user
has any permission on, so a coordinator read other communities' volunteer names there. Wagtail
has no hook for that report's queryset, so portal/urls.py serves `ScopedLogEntriesView` at the
same address: entries about a record of a scoped model (portal.scoping) show only when the
record is in the user's scope (a deleted record is in nobody's but the subdistrict admin's);
other entries keep Wagtail's rule. Its filters offer only what the visible entries hold.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter, DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from portal import audit, roles
from portal.admin.base import ScopedViewSetMixin, is_scoped_model
from portal.models import AuditEvent
from portal.scoping import scope

# --- The audit trail -------------------------------------------------------------------------


def _visible_events(request):
    return scope(AuditEvent.objects.all(), request.user) if request else AuditEvent.objects.none()


def _action_choices(request):
    used = set(_visible_events(request).order_by().values_list("action", flat=True).distinct())
    return sorted(((a, audit.action_label(a)) for a in used), key=lambda c: str(c[1]))


def _users(request):
    ids = _visible_events(request).order_by().values_list("user_id", flat=True).distinct()
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


class AuditEventFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(label=_("action"))  # choices: what the user may see
    user = django_filters.ModelChoiceFilter(label=_("user"), queryset=_users)
    timestamp = django_filters.DateFromToRangeFilter(label=_("date"), widget=DateRangePickerWidget)

    class Meta:
        model = AuditEvent
        fields = ["action", "user", "timestamp"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = _action_choices(self.request)


class AuditEventViewSet(ScopedViewSetMixin, ModelViewSet):
    model = AuditEvent
    name = "audit_trail"
    url_prefix = "reports/audit-trail"
    icon = "list-ul"
    menu_label = _("Audit trail")
    menu_hook = "register_reports_menu_item"
    # Events point at the records they are about; they are not "uses" of those records, and
    # indexing them would make every look at personal data write to the reference index.
    add_to_reference_index = False
    add_to_admin_menu = True
    menu_order = 1100
    inspect_view_enabled = True
    copy_view_enabled = False
    filterset_class = AuditEventFilterSet
    search_fields = ["description", "object_id"]
    ordering = ["-timestamp", "-pk"]
    list_display = [
        TitleColumn(
            "timestamp",
            label=_("time"),
            accessor=lambda e: f"{timezone.localtime(e.timestamp):%Y-%m-%d %H:%M:%S}",
            get_url=lambda e: reverse("audit_trail:inspect", args=[e.pk]),
        ),
        Column("action", label=_("action"), accessor=lambda e: audit.action_label(e.action)),
        Column("user", label=_("user"), accessor="get_user_display"),
        Column("description", label=_("description")),
        Column("ip_address", label=_("IP address")),
    ]
    inspect_view_fields = [
        "timestamp",
        "action",
        "user",
        "object_type",
        "object_id",
        "description",
        "details",
        "communities",
        "ip_address",
        "user_agent",
        "path",
    ]

    def get_urlpatterns(self):
        # Read-only: the listing and one event's details, nothing that writes.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=AuditEvent.objects.select_related("user"), **kwargs
        )


# --- Site history, scoped --------------------------------------------------------------------


def visible_log_entries(queryset, user):
    """The ModelLogEntry rows of `queryset` that `user` may see: a record of a scoped model
    only if portal.scoping lets the user see that record."""
    if roles.is_subdistrict_admin(user):
        return queryset
    condition = Q(pk__in=[])
    for content_type_id in queryset.get_content_type_ids():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        if not is_scoped_model(model):
            condition |= Q(content_type_id=content_type_id)
            continue
        visible = (
            scope(model._default_manager.all(), user)
            .annotate(log_object_id=Cast("pk", CharField()))
            .values("log_object_id")
        )
        condition |= Q(content_type_id=content_type_id, object_id__in=visible)
    return queryset.filter(condition)


def viewable_entries(log_model, user):
    entries = log_model.objects.viewable_by_user(user)
    if log_model is ModelLogEntry or issubclass(log_model, ModelLogEntry):
        entries = visible_log_entries(entries, user)
    # Page entries keep Wagtail's rule: page permissions already follow a community editor's
    # section of the page tree.
    return entries


def _all_viewable(user):
    return [viewable_entries(m, user) for m in log_registry.get_log_entry_models()]


def _content_types(request):
    ids = set()
    for entries in _all_viewable(request.user):
        ids.update(entries.get_content_type_ids())
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    object_type = ContentTypeFilter(
        label=_("Type"), method="filter_object_type", queryset=_content_types
    )

    def get_action_choices(self):
        actions = set()
        for entries in _all_viewable(self.request.user):
            actions.update(entries.get_actions())
        return [choice for choice in log_registry.get_choices() if choice[0] in actions]

    def get_users_queryset(self):
        ids = set()
        for entries in _all_viewable(self.request.user):
            ids.update(entries.get_user_ids())
        User = get_user_model()
        return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)

    get_user_choices = get_users_queryset


class ScopedLogEntriesView(LogEntriesView):
    filterset_class = ScopedSiteHistoryFilterSet

    def get_filtered_queryset(self):
        # LogEntriesView.get_filtered_queryset with our viewable_entries in place of
        # log_model.objects.viewable_by_user (the rest is Wagtail's, unchanged).
        queryset = None
        self.log_models = list(log_registry.get_log_entry_models())
        for index, log_model in enumerate(self.log_models):
            sub_queryset = (
                viewable_entries(log_model, self.request.user)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            sub_queryset = self.filter_queryset(sub_queryset).order_by()
            queryset = sub_queryset if queryset is None else queryset.union(sub_queryset, all=True)
        return queryset.order_by("-timestamp")


# Served before Wagtail's own admin URLs (portal/urls.py), at the same addresses and names.
site_history_urlpatterns = [
    path(
        "admin/reports/site-history/",
        never_cache(require_admin_access(ScopedLogEntriesView.as_view())),
        name="portal_site_history",
    ),
    path(
        "admin/reports/site-history/results/",
        never_cache(require_admin_access(ScopedLogEntriesView.as_view(results_only=True))),
        name="portal_site_history_results",
    ),
]

"""The one base of every back-office model screen, and the helpers of the custom admin views.

Every app's Wagtail viewset derives from `ScopedViewSet` (or puts `ScopedViewSetMixin` first in
its bases, before `SnippetViewSet`). The base does four things, so no app has to remember them:

Scoping. Everything a view shows passes through `portal.scoping.scope`: the listing, every view
of one record (edit, inspect, history, usage: a record outside the user's scope is a 404), and
the choices of every related-record field in the create/edit forms and the listing filters (so
a coordinator cannot file a post under another community's compound). A viewset of reference
data that every member of staff may read whole (the skills list) says `scoped = False`.

Nothing is deleted. A generic delete would reach records that people or stock depend on (a
shift and with it the hours served), so the delete URL, its button and its link are off unless
the viewset says `delete_allowed = True`. Only records nothing else hangs on may allow it (a
staff membership). Ending things goes through the app's services and leaves a trace: a shift
is cancelled (its people are told), attendance is corrected, a pledge is cancelled or closed,
an allocation released. The database backs this up: hours, ledger movements, lots, pledges and
help requests hang on their parents with `on_delete=PROTECT`.

Fewer doors. `read_only = True` removes add, edit and copy too (ledgers, receipts, anything
that changes only through an operation); `add_allowed = False` removes only add (volunteer
profiles are created by the volunteers themselves). Copy is always off: a copy would be a
create that skips the service.

Saving through the services. A viewset whose model has a service overrides
`save_new(form, user)` and `save_changes(instance, form, user)` and calls it there, so a rule in
the service cannot be skipped by the admin form. A domain error (any `ValidationError`) raised
there is shown on the form and nothing is saved. Without an override the form saves as Wagtail
does (plain reference data: places, items, skills). Every save and delete goes into the audit
trail (`portal.audit`) with the names of the fields changed.

Custom admin views (pages that are more than a model form) fetch objects with
`portal.scoping.get_scoped_or_404(request.user, model_or_queryset, **lookup)` and show a domain
error with `show_error(request, error)`.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.forms import ModelMultipleChoiceField
from django.http import Http404
from django.urls import reverse
from django.utils.functional import cached_property, lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets import viewsets
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from portal import audit
from portal.forms import choose_the_only_one
from portal.scoping import scope

SCOPING_ATTRIBUTES = ("community_lookup", "donor_lookup", "owner_lookup", "warehouse_visible")


def is_scoped_model(model):
    return any(getattr(model, name, None) for name in SCOPING_ATTRIBUTES)


def scope_choices(fields, user, *, preselect=False):
    """Limit every related-record choice field to the records the user may see. With
    `preselect` (forms, not filters), a required single choice that leaves one record (the
    coordinator's one community) has it chosen already."""
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and is_scoped_model(queryset.model):
            field.queryset = scope(queryset, user)
            if preselect and field.required and not isinstance(field, ModelMultipleChoiceField):
                choose_the_only_one(field)


# --- Helpers for the custom admin views ------------------------------------------------------


def show_error(request, error):
    """Show a domain error (a ValidationError with a translated message) to the user as is."""
    messages.error(request, " ".join(str(message) for message in error.messages))


def add_error_to_form(form, error):
    """Put a domain error on the form: on a field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- The views -------------------------------------------------------------------------------


def _is_boolean_field(model, field_name):
    *relations, name = field_name.split("__")
    try:
        for relation in relations:
            model = model._meta.get_field(relation).related_model
        return isinstance(model._meta.get_field(name), models.BooleanField)
    except (FieldDoesNotExist, AttributeError):
        return False


# A range filter's two ends, in words: "开始时间 从" / "开始时间 至", not django-filter's
# "... is greater than or equal to" (which has no zh_Hans catalogue at all).
RANGE_LABELS = {"gte": _("%(field)s from"), "lte": _("%(field)s until")}


def _label_of_end(end, verbose_name):
    return RANGE_LABELS[end] % {"field": capfirst(verbose_name)}


_range_label = lazy(_label_of_end, str)  # in the language of the request that shows it


class PortalFilterSet(WagtailFilterSet):
    """The listing filters of every scoped screen (built by Wagtail from `list_filter`)."""

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        built = super().filter_for_field(field, field_name, lookup_expr)
        end = (lookup_expr or "").rsplit("__", 1)[-1]
        if end in RANGE_LABELS:
            built.label = _range_label(end, field.verbose_name)
        return built


class ScopedViewMixin:
    """Mixed into each view of a ScopedViewSetMixin viewset (see the module docstring)."""

    viewset = None
    base_filterset_class = PortalFilterSet

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        # Only the records of this viewset's model: not, e.g., the history view's log entries.
        if self.viewset.scoped and queryset.model is self.model:
            queryset = scope(queryset, self.request.user)
            if self.viewset.list_select_related:
                queryset = queryset.select_related(*self.viewset.list_select_related)
        return queryset

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if self.viewset.scoped and isinstance(obj, self.model):
            visible = scope(self.model._default_manager.filter(pk=obj.pk), self.request.user)
            if not visible.exists():
                raise Http404
        return obj

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        scope_choices(form.fields, self.request.user, preselect=True)
        return form

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        # (Index views.) A yes/no field shows Wagtail's tick or cross, not "True"/"False".
        if column_class is Column and _is_boolean_field(self.model, field_name):
            column_class = BooleanColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)

    @cached_property
    def filters(self):
        filters = super().filters
        if filters is not None:
            scope_choices(filters.form.fields, self.request.user)
        return filters


class ServiceSaveMixin:
    """Create and edit views: save through the viewset's service, show its errors on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:  # the service refused: nothing was saved
            add_error_to_form(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def save_instance(self):
        user = self.request.user
        if isinstance(self, generic.EditView):
            stored = self.model._default_manager.get(pk=self.object.pk)
            saved = self.viewset.save_changes(stored, self.form, user)
            action = "wagtail.edit"
        else:
            saved = self.viewset.save_new(self.form, user)
            action = "wagtail.create"
        if saved is None:  # the viewset has no service for this model: Wagtail saves the form
            saved = super().save_instance()
        else:
            log(instance=saved, action=action, user=user)
        _audit(self.request, saved, action.split(".")[-1], fields=sorted(self.form.changed_data))
        return saved


class AuditedDeleteMixin:
    """The delete view, where a viewset allows it: the deletion goes into the audit trail."""

    def delete_action(self):
        _audit(self.request, self.object, "delete")
        super().delete_action()


def _audit(request, obj, verb, **details):
    # Field names only: the audit trail says what changed, the record holds the values.
    meta = obj._meta
    audit.record(
        f"admin.{meta.app_label}.{meta.model_name}.{verb}", request=request, obj=obj, **details
    )


class ScopedViewSetMixin:
    """The one base of every back-office viewset (see the module docstring)."""

    scoped = True
    delete_allowed = False
    read_only = False
    add_allowed = True
    copy_view_enabled = False
    # select_related() for the listing and the record views.
    list_select_related = ()
    # A form class of the app's own (it still gets its related-record choices scoped).
    form_class = None

    def get_form_class(self, for_update=False):
        return self.form_class or super().get_form_class(for_update)

    def get_exclude_form_fields(self):
        excluded = super().get_exclude_form_fields()
        if excluded is None and self.read_only and self.get_form_fields() is None:
            return []  # never shown: a read-only viewset has no add or edit view
        return excluded

    def save_new(self, form, user):
        """Create the record through the app's service and return it; None: save the form."""
        return None

    def save_changes(self, instance, form, user):
        """Save the edited record through the app's service and return it; None: save the
        form. `instance` is the record as stored, untouched by the form (compare it with
        `form.cleaned_data`)."""
        return None

    @property
    def hidden_views(self):
        hidden = {"copy"}
        if not self.delete_allowed:
            hidden.add("delete")
        if self.read_only:
            hidden |= {"add", "edit"}
        if not self.add_allowed:
            hidden.add("add")
        return hidden

    @property
    def url_finder_class(self):
        # Links to a record from elsewhere ("usage" pages, choosers) go to its edit view; a
        # record with none is linked to its inspect view, or not at all (not to a missing URL).
        finder = super().url_finder_class
        if "edit" in self.hidden_views:
            inspect = self.get_url_name("inspect") if self.inspect_view_enabled else None
            finder.construct_edit_url = lambda _, instance: (
                reverse(inspect, args=(quote(instance.pk),)) if inspect else None
            )
        return finder

    def construct_view(self, view_class, **kwargs):
        bases = []
        if not issubclass(view_class, ScopedViewMixin):
            bases.append(ScopedViewMixin)
        if issubclass(view_class, (generic.CreateView, generic.EditView)) and not issubclass(
            view_class, ServiceSaveMixin
        ):
            bases.append(ServiceSaveMixin)
        if issubclass(view_class, generic.DeleteView) and not issubclass(
            view_class, AuditedDeleteMixin
        ):
            bases.append(AuditedDeleteMixin)
        if bases:
            view_class = type(view_class.__name__, (*bases, view_class), {})
        return super().construct_view(view_class, viewset=self, **kwargs)

    def get_urlpatterns(self):
        hidden = self.hidden_views
        return [p for p in super().get_urlpatterns() if p.name not in hidden]

    def get_common_view_kwargs(self, **kwargs):
        # No button or link may point at a view that is not there.
        gone = {f"{name}_url_name": None for name in self.hidden_views}
        return super().get_common_view_kwargs(**{**gone, **kwargs})


class ScopedViewSet(ScopedViewSetMixin, ModelViewSet):
    """A Wagtail ModelViewSet on the base, grouped in its app's menu (not the top level)."""

    add_to_admin_menu = False


def delete_allowed_for(model):
    """False when a viewset on the base shows `model` and does not allow deleting it."""
    return all(
        viewset.delete_allowed
        for viewset in viewsets.viewsets
        if isinstance(viewset, ScopedViewSetMixin) and viewset.model is model
    )


def refuse_bulk_delete(request, action_type, objects, action):
    """A `before_bulk_action` hook: Wagtail's bulk "delete" (on the user listing) obeys the
    same rule as the delete view."""
    if action_type == "delete" and not delete_allowed_for(action.model):
        raise PermissionDenied

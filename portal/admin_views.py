"""Back-office screens for the place directory, and the scoping every back-office viewset uses.

`ScopedViewSetMixin` passes everything a Wagtail viewset shows through `portal.scoping.scope`:
the listing, every view of one record (edit, delete, inspect, history, usage, copy: a record
outside the user's scope is a 404), and the choices of every related-record field in the
create/edit forms and the listing filters (so a coordinator cannot file a post under another
community's compound). Put it first in the bases of any app's viewset.
"""

import django_filters
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from portal.importexport import ImportExportViewSetMixin
from portal.models import Community, Compound, Post, StaffMembership, Subdistrict
from portal.resources import CommunityResource, CompoundResource, PostResource
from portal.scoping import scope

SCOPING_ATTRIBUTES = ("community_lookup", "donor_lookup", "owner_lookup", "warehouse_visible")


def is_scoped_model(model):
    return any(getattr(model, name, None) for name in SCOPING_ATTRIBUTES)


def scope_choices(fields, user):
    """Limit every related-record choice field to the records the user may see."""
    for field in fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and is_scoped_model(queryset.model):
            field.queryset = scope(queryset, user)


class ScopedViewMixin:
    """Mixed into each view of a ScopedViewSetMixin viewset."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if queryset.model is self.model:  # not, e.g., the log entries of the history view
            queryset = scope(queryset, self.request.user)
        return queryset

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if isinstance(obj, self.model):
            visible = scope(self.model._default_manager.filter(pk=obj.pk), self.request.user)
            if not visible.exists():
                raise Http404
        return obj

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        scope_choices(form.fields, self.request.user)
        return form

    @cached_property
    def filters(self):
        filters = super().filters
        if filters is not None:
            scope_choices(filters.form.fields, self.request.user)
        return filters


class ScopedViewSetMixin:
    """Scope every view of a Wagtail ModelViewSet/SnippetViewSet (see the module docstring)."""

    def construct_view(self, view_class, **kwargs):
        if not issubclass(view_class, ScopedViewMixin):
            view_class = type(view_class.__name__, (ScopedViewMixin, view_class), {})
        return super().construct_view(view_class, **kwargs)


# --- Places ----------------------------------------------------------------------------------


def _scoped_communities(request):
    return scope(Community.objects.all(), request.user) if request else Community.objects.none()


class CompoundFilterSet(WagtailFilterSet):
    community = django_filters.ModelChoiceFilter(label=_("community"), queryset=_scoped_communities)

    class Meta:
        model = Compound
        fields = ["community"]


class PostFilterSet(WagtailFilterSet):
    community = django_filters.ModelChoiceFilter(
        label=_("community"), field_name="compound__community", queryset=_scoped_communities
    )

    class Meta:
        model = Post
        fields = ["community", "kind", "is_party_post", "active"]


class MembershipFilterSet(WagtailFilterSet):
    class Meta:
        model = StaffMembership
        fields = ["community"]


class SubdistrictViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "subdistricts"
    url_prefix = "places/subdistricts"
    model = Subdistrict
    icon = "site"
    menu_order = 100
    form_fields = ["name", "district", "phone"]
    list_display = ["name", "district", "phone"]
    search_fields = ["name", "district"]


class CommunityViewSet(ScopedViewSetMixin, ImportExportViewSetMixin, ModelViewSet):
    name = "communities"
    url_prefix = "places/communities"
    model = Community
    icon = "home"
    menu_order = 200
    form_fields = ["subdistrict", "name", "slug", "address", "phone"]
    list_display = ["name", "subdistrict", "address", "phone"]
    list_filter = ["subdistrict"]
    search_fields = ["name", "address", "phone"]
    import_resource_class = CommunityResource
    export_resource_class = CommunityResource


class CompoundViewSet(ScopedViewSetMixin, ImportExportViewSetMixin, ModelViewSet):
    name = "compounds"
    url_prefix = "places/compounds"
    model = Compound
    icon = "group"
    menu_order = 300
    form_fields = ["community", "name", "address", "households"]
    list_display = ["name", "community", "address", "households"]
    filterset_class = CompoundFilterSet
    search_fields = ["name", "address", "community__name"]
    import_resource_class = CompoundResource
    export_resource_class = CompoundResource

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Compound.objects.select_related("community"), **kwargs
        )


class PostViewSet(ScopedViewSetMixin, ImportExportViewSetMixin, ModelViewSet):
    name = "posts"
    url_prefix = "places/posts"
    model = Post
    icon = "thumbtack"
    menu_order = 400
    form_fields = ["compound", "name", "kind", "is_party_post", "active"]
    list_display = [
        "name",
        "compound",
        "kind",
        BooleanColumn("is_party_post", label=_("party-member post")),
        BooleanColumn("active", label=_("active")),
    ]
    filterset_class = PostFilterSet
    search_fields = ["name", "compound__name", "compound__community__name"]
    import_resource_class = PostResource
    export_resource_class = PostResource

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Post.objects.select_related("compound__community"), **kwargs
        )


class StaffMembershipViewSet(ScopedViewSetMixin, ModelViewSet):
    name = "memberships"
    url_prefix = "places/memberships"
    model = StaffMembership
    icon = "user"
    menu_order = 500
    form_fields = ["user", "community"]
    list_display = ["user", "community", "created_at"]
    filterset_class = MembershipFilterSet
    search_fields = [
        "user__username",
        "user__last_name",
        "user__first_name",
        "user__phone",
        "community__name",
    ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=StaffMembership.objects.select_related("user", "community"), **kwargs
        )


class PlacesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Places")
    menu_icon = "site"
    menu_order = 250
    items = (
        SubdistrictViewSet,
        CommunityViewSet,
        CompoundViewSet,
        PostViewSet,
        StaffMembershipViewSet,
    )

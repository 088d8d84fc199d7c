"""Back-office screens for the place directory (subdistricts, communities, compounds, posts)
and the staff memberships that tie people to communities. Places are renamed or retired
(`Post.active`), never deleted from here: tasks, volunteers and help requests point at them.
A staff membership may be deleted: it is how someone stops serving a community."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSetGroup

from portal.importexport import ImportExportViewSetMixin
from portal.models import Community, Compound, Post, StaffMembership, Subdistrict
from portal.resources import CommunityResource, CompoundResource, PostResource
from portal.scoping import scope

from .base import ScopedViewSet

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


class SubdistrictViewSet(ScopedViewSet):
    name = "subdistricts"
    url_prefix = "places/subdistricts"
    model = Subdistrict
    icon = "site"
    menu_order = 100
    form_fields = ["name", "district", "phone"]
    list_display = ["name", "district", "phone"]
    search_fields = ["name", "district"]


class CommunityViewSet(ImportExportViewSetMixin, ScopedViewSet):
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


class CompoundViewSet(ImportExportViewSetMixin, ScopedViewSet):
    name = "compounds"
    url_prefix = "places/compounds"
    model = Compound
    icon = "group"
    menu_order = 300
    form_fields = ["community", "name", "address", "households"]
    list_display = ["name", "community", "address", "households"]
    filterset_class = CompoundFilterSet
    list_select_related = ("community",)
    search_fields = ["name", "address", "community__name"]
    import_resource_class = CompoundResource
    export_resource_class = CompoundResource


class PostViewSet(ImportExportViewSetMixin, ScopedViewSet):
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
    list_select_related = ("compound__community",)
    search_fields = ["name", "compound__name", "compound__community__name"]
    import_resource_class = PostResource
    export_resource_class = PostResource


class StaffMembershipViewSet(ScopedViewSet):
    name = "memberships"
    url_prefix = "places/memberships"
    model = StaffMembership
    icon = "user"
    menu_order = 500
    form_fields = ["user", "community"]
    list_display = ["user", "community", "created_at"]
    filterset_class = MembershipFilterSet
    list_select_related = ("user", "community")
    # Ending a membership is how someone stops serving a community; nothing hangs on it.
    delete_allowed = True
    search_fields = [
        "user__username",
        "user__last_name",
        "user__first_name",
        "user__phone",
        "community__name",
    ]


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

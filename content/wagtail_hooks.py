from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from content import admin_views
from portal import roles


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "content/communities/",
            admin_views.community_sections,
            name="content_community_sections",
        ),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return roles.is_subdistrict_admin(user) or roles.has_role(
            user, roles.COORDINATOR, roles.EDITOR
        )


@hooks.register("register_admin_menu_item")
def register_community_sections_menu_item():
    return StaffMenuItem(
        _("Community sections and posters"),
        reverse("content_community_sections"),
        icon_name="doc-full-inverse",
        order=250,
    )


@hooks.register("before_move_page")
def refuse_move_confirmation_without_permission(request, page_to_move, destination):
    """Wagtail's move-confirmation page checks permission only when the move is posted, so its
    GET showed any page's title to any admin user; refuse it to whoever may not move it."""
    if not page_to_move.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied

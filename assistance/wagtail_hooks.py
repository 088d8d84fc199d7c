from django.conf import settings
from django.template.loader import render_to_string
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from portal import fragments, roles
from portal.admin_menu import register_screens

from . import admin_views, dashboard


@hooks.register("register_admin_urls")
def register_urls():
    urls = [
        path("", admin_views.request_list, name="requests"),
        path("new/", admin_views.request_create, name="request_create"),
        path("<int:pk>/", admin_views.request_detail, name="request"),
    ]
    return [path("assistance/", include((urls, "assistance_admin"), namespace="assistance_admin"))]


register_screens(
    "register_admin_menu_item",
    [(_("Help requests"), "assistance_admin:requests", "help", "assistance.view_helprequest")],
    first_order=205,
)


class CoordinationPanel(Component):
    name = "coordination"
    order = 50

    def __init__(self, user):
        self.user = user

    def render_html(self, parent_context=None):
        # Kept per person FRAGMENT_DASHBOARD_SECONDS (open places move with every sign-up and
        # have no exact signal), dropped at once by any help request's change.
        return fragments.cached_html(
            (parent_context or {}).get("request"),
            "assistance:dashboard",
            self.user.pk,
            ["assistance:requests"],
            settings.FRAGMENT_DASHBOARD_SECONDS,
            lambda: render_to_string(
                "assistance/admin/dashboard_panel.html", dashboard.figures(self.user)
            ),
        )


@hooks.register("construct_homepage_panels")
def add_coordination_panel(request, panels):
    if roles.has_role(request.user, roles.COORDINATOR, roles.SUBDISTRICT_ADMIN):
        panels.insert(0, CoordinationPanel(request.user))

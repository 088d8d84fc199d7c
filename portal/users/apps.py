from wagtail.users.apps import WagtailUsersAppConfig


class PortalUsersAppConfig(WagtailUsersAppConfig):
    """wagtail.users with the portal's user screens (see portal/users/__init__.py). Listed in
    INSTALLED_APPS instead of "wagtail.users"; it stays the wagtail.users app (same label,
    templates and migrations)."""

    user_viewset = "portal.users.views.UserViewSet"

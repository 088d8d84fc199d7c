from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """A Wagtail admin menu item shown only to users holding `permission`."""

    def __init__(self, *args, permission, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def register_screens(hook_name, screens, first_order):
    """One menu item per row of `screens` (label, URL name, icon, the permission that shows
    it), registered for `hook_name` in the rows' order from `first_order` on. The URLs are
    looked up when the admin builds its menus, once every URL is known."""
    for order, screen in enumerate(screens, start=first_order):
        _register(hook_name, order, *screen)


def _register(hook_name, order, label, url_name, icon, permission):
    def menu_item():
        return PermissionMenuItem(
            label, reverse(url_name), icon_name=icon, order=order, permission=permission
        )

    hooks.register(hook_name, menu_item)

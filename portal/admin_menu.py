from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """A Wagtail admin menu item shown only to users holding `permission`."""

    def __init__(self, *args, permission, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)

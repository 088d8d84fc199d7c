from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    def ready(self):
        from . import audit_receivers, checks, pagecache, security_log, signals  # noqa: F401
        from .accounts import permissions, staff  # noqa: F401  (their signal receivers)
        from .admin import display, sidebar
        from .security import apply_image_pixel_cap

        security_log.connect_mfa()
        pagecache.connect()
        apply_image_pixel_cap()
        display.register()
        sidebar.register()

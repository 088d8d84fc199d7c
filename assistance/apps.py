from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistance"
    verbose_name = _("Help requests")

    def ready(self):
        from portal import fragments
        from volunteers.services import invitation_declined

        from .services import hand_on_declined_delivery

        invitation_declined.connect(
            hand_on_declined_delivery, dispatch_uid="assistance_hand_on_declined_delivery"
        )
        # the coordinators' dashboard panel is a fragment dropped by any help request's change
        fragments.connect("assistance.HelpRequest")

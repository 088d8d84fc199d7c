from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete
from django.utils.translation import gettext_lazy as _

# The models whose rows a volunteer's own page shows (volunteers/models/page_versions.py).
PAGE_MODELS = (
    "Signup",
    "Attendance",
    "VolunteerProfile",
    "WaitlistEntry",
    "SwapOffer",
    "MessageRecipient",
    "StarApplication",
)


def _signup_saved(sender, instance, **kwargs):
    from volunteers.matching.ranking import forget_on_signup

    forget_on_signup(sender, instance, **kwargs)


def _task_saved(sender, instance, **kwargs):
    from volunteers.matching.ranking import forget_all_recommendations

    forget_all_recommendations()


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteering")

    def ready(self):
        # A volunteer's cached recommendations go when they sign up (volunteers.matching.ranking).
        post_save.connect(
            _signup_saved, sender="volunteers.Signup", dispatch_uid="volunteers-forget-recommended"
        )
        # ... and everybody's when a task changes who may take it.
        post_save.connect(
            _task_saved, sender="volunteers.Task", dispatch_uid="volunteers-forget-all-recommended"
        )
        # A volunteer's page fragments go with any change to the rows they show.
        from .models import page_versions

        for name in PAGE_MODELS:
            sender = f"volunteers.{name}"
            uid = f"volunteers-page-version-{name}"
            post_save.connect(page_versions.saved, sender=sender, dispatch_uid=uid)
            pre_delete.connect(page_versions.deleting, sender=sender, dispatch_uid=uid)
        # Teams and projects in the hours, records and messages rules (volunteers.team_hooks).
        from . import team_hooks

        team_hooks.connect()

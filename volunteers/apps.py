from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


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
        # Teams and projects in the hours, records and messages rules (volunteers.team_hooks).
        from . import team_hooks

        team_hooks.connect()

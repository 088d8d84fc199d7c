"""The daily star-level step: apply for levels reached by confirmed hours, and grant the
applications whose public notice has ended. Safe to run again."""

from django.core.management.base import BaseCommand

from volunteers.services.stars import apply_for_reached_levels, grant_due


class Command(BaseCommand):
    help = "Apply for star levels reached and grant those whose notice period ended."

    def handle(self, *args, **options):
        applied = apply_for_reached_levels()
        granted = grant_due()
        self.stdout.write(f"{applied} application(s) created, {granted} level(s) granted.")

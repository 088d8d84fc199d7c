"""Confirm recorded hours nobody disputed within VOLUNTEERS_AUTO_CONFIRM_DAYS of check-out.
Run daily (cron); safe to run again. Then applies for the star levels the hours reached."""

from django.core.management.base import BaseCommand

from volunteers.services.hours import auto_confirm
from volunteers.services.stars import apply_for_reached_levels


class Command(BaseCommand):
    help = "Confirm recorded attendance nobody disputed after VOLUNTEERS_AUTO_CONFIRM_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after check-out (default: VOLUNTEERS_AUTO_CONFIRM_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        confirmed = auto_confirm(days=days)
        applied = apply_for_reached_levels() if confirmed else 0
        self.stdout.write(
            f"{confirmed} attendance record(s) confirmed, {applied} star application(s)."
        )

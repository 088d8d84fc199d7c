"""Remind volunteers of shifts starting soon. Safe to run as often as you like (cron every
15 minutes, say): each sign-up is reminded once."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from volunteers.services import send_shift_reminders


class Command(BaseCommand):
    help = "Send a reminder before each shift (once per sign-up)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="Remind shifts starting within this many hours "
            "(default: VOLUNTEERS_REMINDER_HOURS).",
        )

    def handle(self, *args, hours=None, **options):
        within = timedelta(hours=hours) if hours else None
        sent = send_shift_reminders(within=within)
        self.stdout.write(f"{sent} reminder(s) sent.")

"""Make every shift template's missing shifts, a rolling VOLUNTEERS_SHIFT_DAYS_AHEAD days ahead.
Run it daily (a systemd timer): idempotent, and safe to run twice at once (the database keeps
one shift per template slot). Existing shifts are never changed here."""

from django.core.management.base import BaseCommand

from volunteers.services import generate_shifts


class Command(BaseCommand):
    help = "Create the shifts of every shift template for the coming days (idempotent)."

    def handle(self, *args, **options):
        made = generate_shifts()
        for template, count in made.items():
            self.stdout.write(f"{template}: {count}")
        self.stdout.write(f"{sum(made.values())} shift(s) created.")

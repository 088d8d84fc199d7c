"""Pass lapsed waiting-list offers on to the next in line and close the waiting lists of shifts
that have started. Safe to run as often as you like (a timer every 5 minutes, say); opening or
answering an offer also passes that shift's lapsed offers on."""

from django.core.management.base import BaseCommand

from volunteers.services import expire_offers


class Command(BaseCommand):
    help = "Pass lapsed waiting-list offers on to the next volunteer in line."

    def handle(self, *args, **options):
        lapsed = expire_offers()
        self.stdout.write(f"{lapsed} lapsed offer(s) passed on.")

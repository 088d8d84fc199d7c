from django.core.management.base import BaseCommand

from assistance.services import anonymise_closed


class Command(BaseCommand):
    help = "Blank the address and phone of help requests closed longer than the retention period."

    def handle(self, *args, **options):
        count = anonymise_closed()
        self.stdout.write(f"{count}")

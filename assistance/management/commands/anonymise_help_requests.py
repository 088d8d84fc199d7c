from django.core.management.base import BaseCommand

from portal.retention import apply_retention


class Command(BaseCommand):
    help = "Old name of apply_retention, kept so existing schedules keep working."

    def handle(self, *args, **options):
        self.stderr.write("anonymise_help_requests is now apply_retention; it ran all the rules.")
        for rule, count in apply_retention().items():
            self.stdout.write(f"{rule}: {count}")

from django.core.management.base import BaseCommand

from portal.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Apply every retention rule for personal data (help requests, inactive volunteer "
        "profiles, ID numbers) and print how many records each changed. Run daily; idempotent."
    )

    def handle(self, *args, **options):
        for rule, count in apply_retention().items():
            self.stdout.write(f"{rule}: {count}")

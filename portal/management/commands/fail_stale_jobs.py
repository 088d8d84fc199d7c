from django.core.management.base import BaseCommand

from portal.document_jobs import STALE_AFTER, fail_stale_jobs


class Command(BaseCommand):
    help = (
        "Mark failed the document jobs whose worker has not been heard of for "
        f"{int(STALE_AFTER.total_seconds() // 60)} minutes (killed or restarted), so their "
        "owners may run them again."
    )

    def handle(self, *args, **options):
        count = fail_stale_jobs()
        self.stdout.write(f"{count} stale job(s) marked failed")

from django.core.management.base import BaseCommand

from portal import document_jobs
from portal.importexport import jobs as import_jobs


class Command(BaseCommand):
    help = (
        "Mark failed the jobs a killed or restarted worker left running: document jobs silent "
        f"for {int(document_jobs.STALE_AFTER.total_seconds() // 60)} minutes (their owners may "
        "run them again) and imports running for "
        f"{int(import_jobs.STALE_AFTER.total_seconds() // 60)} minutes (uploaded again)."
    )

    def handle(self, *args, **options):
        documents = document_jobs.fail_stale_jobs()
        imports = import_jobs.fail_stale_imports()
        self.stdout.write(f"{documents} document job(s), {imports} import job(s) marked failed")

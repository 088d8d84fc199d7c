"""Delete audit events older than AUDIT_RETENTION_DAYS (run daily, like the other retention
jobs). The only way events leave the trail; see docs/security.md."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit events older than AUDIT_RETENTION_DAYS."

    def handle(self, *args, **options):
        before = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
        with transaction.atomic():
            deleted, _by_model = AuditEvent.objects.prune(before)
        self.stdout.write(f"{deleted} audit rows older than {before:%Y-%m-%d} deleted.")

"""Every retention rule for personal data, applied by one daily job (`manage.py
apply_retention`). The periods are settings (portal/settings/base.py, "Retention"); the rules
live with their data:

- help requests: assistance.services.anonymise_closed
- inactive volunteer profiles: volunteers.services.retention.anonymise_inactive_profiles
- ID numbers: volunteers.services.retention.clear_stale_id_numbers
- uploaded spreadsheets of background imports: portal.importexport.jobs.delete_old_jobs
- files made on the worker (certificates, receipts, reports): portal.document_jobs.delete_old_jobs
- who got which message: volunteers.services.messages.delete_old_recipients

Each rule is idempotent, so the job can run as often as wanted and resume after a failure.
"""

from django.utils import timezone

from portal import audit


def apply_retention(now=None):
    """Apply every rule; returns {rule: how many records it changed this time}."""
    from assistance.services import anonymise_closed
    from portal import document_jobs
    from portal.importexport.jobs import delete_old_jobs
    from volunteers.services.messages import delete_old_recipients
    from volunteers.services.retention import anonymise_inactive_profiles, clear_stale_id_numbers

    now = now or timezone.now()
    counts = {
        "help_requests_anonymised": anonymise_closed(now),
        "volunteer_profiles_anonymised": anonymise_inactive_profiles(now),
        "id_numbers_cleared": clear_stale_id_numbers(now),
        "import_jobs_deleted": delete_old_jobs(now),
        "document_jobs_deleted": document_jobs.delete_old_jobs(now),
        "message_recipients_deleted": delete_old_recipients(now),
    }
    audit.record("retention.apply", **counts)
    return counts

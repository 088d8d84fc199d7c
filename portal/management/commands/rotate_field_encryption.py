"""Re-encrypt every encrypted field with the newest key (and re-derive keyed hashes).

Rotate a key: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it), deploy,
run this command, then remove the old key. After changing FIELD_HASH_KEY, run it too (with the
encryption keys unchanged): the ID-number hashes are derived again from the decrypted numbers.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.encryption import EncryptedCharField


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the newest FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        for model in apps.get_models():
            names = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)
            ]
            if not names:
                continue
            done = 0
            manager = model._default_manager
            with transaction.atomic():
                rows = list(manager.select_for_update().values_list("pk", *names).order_by("pk"))
                for pk, *values in rows:
                    # update() encrypts with the first key; the model's queryset re-derives
                    # anything kept in step with the value (VolunteerProfile.id_number_hash).
                    manager.filter(pk=pk).update(**dict(zip(names, values, strict=True)))
                    done += 1
            self.stdout.write(f"{model._meta.label}: {done} rows re-encrypted ({', '.join(names)})")

"""Encrypt the ID numbers stored in plain text before 0005, and fill in their keyed hashes.

Works on the raw column (the historical model's field would try to decrypt the plain values).
Needs FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY only when there are numbers to encrypt. Two
profiles with the same number stop the migration with their ids: a person decides which one
keeps it (uniqueness was not enforced before).
"""

from django.db import migrations

from portal import encryption
from portal.validators import normalize_id_number


def _rows(apps, schema_editor):
    model = apps.get_model("volunteers", "VolunteerProfile")
    quote = schema_editor.connection.ops.quote_name
    table = quote(model._meta.db_table)
    return table, quote


def encrypt_existing(apps, schema_editor):
    table, quote = _rows(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('id')}, {quote('id_number')} FROM {table} "  # noqa: S608
            f"WHERE {quote('id_number')} <> '' ORDER BY {quote('id')}"
        )
        rows = cursor.fetchall()
        seen = {}
        for pk, plain in rows:
            number = normalize_id_number(plain)
            seen.setdefault(encryption.digest(number), []).append(pk)
        duplicates = [pks for pks in seen.values() if len(pks) > 1]
        if duplicates:
            raise RuntimeError(
                "These volunteer profiles share an ID number; clear it on all but one and "
                f"migrate again: {duplicates}"
            )
        for pk, plain in rows:
            number = normalize_id_number(plain)
            cursor.execute(
                f"UPDATE {table} SET {quote('id_number')} = %s, {quote('id_number_hash')} = %s "  # noqa: S608
                f"WHERE {quote('id')} = %s",
                [encryption.encrypt(number), encryption.digest(number), pk],
            )


def decrypt_existing(apps, schema_editor):
    table, quote = _rows(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('id')}, {quote('id_number')} FROM {table} "  # noqa: S608
            f"WHERE {quote('id_number')} <> ''"
        )
        for pk, token in cursor.fetchall():
            cursor.execute(
                f"UPDATE {table} SET {quote('id_number')} = %s, {quote('id_number_hash')} = NULL "  # noqa: S608
                f"WHERE {quote('id')} = %s",
                [encryption.decrypt(token), pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0005_encrypt_id_number_identity_changes"),
    ]

    operations = [migrations.RunPython(encrypt_existing, decrypt_existing)]

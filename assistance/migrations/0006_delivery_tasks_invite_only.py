"""Delivery shifts made for help requests before tasks could be invite-only become so: they
were visible in the public shift list and anyone could take the one place."""

from django.db import migrations


def mark_invite_only(apps, schema_editor):
    HelpRequest = apps.get_model("assistance", "HelpRequest")
    Task = apps.get_model("volunteers", "Task")
    shifts = HelpRequest.objects.filter(delivery_shift__isnull=False).values("delivery_shift_id")
    Task.objects.filter(shifts__in=shifts).update(invite_only=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0005_remove_helprequest_distribution"),
        ("volunteers", "0008_task_invite_only"),
    ]

    operations = [migrations.RunPython(mark_invite_only, migrations.RunPython.noop)]

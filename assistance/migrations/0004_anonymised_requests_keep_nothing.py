"""Requests anonymised before the retention job wiped the need text and the link to the
resident's account: wipe them now, as anonymising does today."""

from django.db import migrations


def wipe(apps, schema_editor):
    HelpRequest = apps.get_model("assistance", "HelpRequest")
    HelpRequest.objects.filter(anonymised_at__isnull=False).update(
        building="",
        contact_name="",
        contact_phone="",
        need="",
        requester=None,
        submission_token=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0003_protect_records_from_deletion"),
        # The links from distributions to requests are made from HelpRequest.distribution.
        ("donations", "0006_link_household_distributions"),
    ]

    operations = [migrations.RunPython(wipe, migrations.RunPython.noop)]

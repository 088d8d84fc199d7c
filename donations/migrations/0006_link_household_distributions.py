"""A household distribution points at its help request instead of copying its address.

Links every distribution a help request was fulfilled by, then blanks the copies the old code
made: the compound and building of every household distribution and the address it wrote into
the reason of its stock movements (the ledger is append-only for the application; this data
fix is the one exception, and it rewrites nothing but the copied address). The notes of
distributions for requests already anonymised are wiped too, as the retention job now does."""

from django.db import migrations

HOUSEHOLD = "household"
# What the service now writes as the reason of a household's movement ("A household").
HOUSEHOLD_REASON = "住户"


def link_and_blank(apps, schema_editor):
    HelpRequest = apps.get_model("assistance", "HelpRequest")
    Distribution = apps.get_model("donations", "Distribution")
    Movement = apps.get_model("donations", "Movement")

    for request_id, distribution_id in HelpRequest.objects.filter(
        distribution__isnull=False
    ).values_list("pk", "distribution_id"):
        Distribution.objects.filter(pk=distribution_id).update(help_request_id=request_id)
    Distribution.objects.filter(help_request__isnull=False).update(recipient=HOUSEHOLD)
    households = Distribution.objects.filter(recipient=HOUSEHOLD)
    Movement.objects.filter(kind="distribute", distribution__in=households).update(
        reason=HOUSEHOLD_REASON
    )
    households.update(building="", compound=None)
    # The old fulfilment wrote "居民求助 #n" as the note: the link says it now.
    households.filter(note__startswith="居民求助 #").update(note="")
    Distribution.objects.filter(help_request__anonymised_at__isnull=False).update(note="")


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_requester"),
        ("donations", "0005_distribution_help_request"),
    ]

    operations = [migrations.RunPython(link_and_blank, migrations.RunPython.noop)]

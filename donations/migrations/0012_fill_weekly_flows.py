"""Fill the ledger's weekly totals (WeeklyFlow) from the movements already written; from now on
ledger.record keeps them. The same computation as services.flows.summarise, copied here so the
migration does not change when the service does."""

from collections import defaultdict
from datetime import timedelta

from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

UNCOUNTED = ("allocate", "release")


def _change(quantity, from_kind, to_kind):
    change = 0
    if to_kind is not None and to_kind != "transit":
        change += quantity
    if from_kind is not None and from_kind != "transit":
        change -= quantity
    return change


def fill(apps, schema_editor):
    Movement = apps.get_model("donations", "Movement")
    WeeklyFlow = apps.get_model("donations", "WeeklyFlow")
    totals = defaultdict(lambda: [0, 0])
    rows = (
        Movement.objects.order_by()
        .exclude(kind__in=UNCOUNTED)
        .values("item_id", "kind", "community_id", "from_location__kind", "to_location__kind")
        .annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()),
            n=Sum("quantity"),
        )
    )
    for row in rows:
        week = row["day"] - timedelta(days=row["day"].weekday())
        key = (week, row["item_id"], row["kind"], row["community_id"])
        totals[key][0] += row["n"]
        totals[key][1] += _change(row["n"], row["from_location__kind"], row["to_location__kind"])
    WeeklyFlow.objects.all().delete()
    WeeklyFlow.objects.bulk_create(
        [
            WeeklyFlow(
                week=week,
                item_id=item_id,
                kind=kind,
                community_id=community_id,
                quantity=quantity,
                stock_change=change,
            )
            for (week, item_id, kind, community_id), (quantity, change) in totals.items()
        ],
        batch_size=2_000,
    )


def empty(apps, schema_editor):
    apps.get_model("donations", "WeeklyFlow").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("donations", "0011_weekly_flows")]

    operations = [migrations.RunPython(fill, empty)]

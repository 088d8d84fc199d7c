import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0002_requester"),
        ("donations", "0004_protect_records_from_deletion"),
    ]

    operations = [
        migrations.AddField(
            model_name="distribution",
            name="help_request",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="distributions",
                to="assistance.helprequest",
                verbose_name="help request",
            ),
        ),
    ]

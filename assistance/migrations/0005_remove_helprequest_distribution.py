from django.db import migrations


class Migration(migrations.Migration):
    """Distributions point at their request now (donations.Distribution.help_request)."""

    dependencies = [
        ("assistance", "0004_anonymised_requests_keep_nothing"),
        ("donations", "0006_link_household_distributions"),
    ]

    operations = [migrations.RemoveField(model_name="helprequest", name="distribution")]

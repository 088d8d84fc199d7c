from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("donations", "0006_link_household_distributions"),
    ]

    operations = [
        migrations.RemoveField(model_name="distribution", name="building"),
        migrations.RemoveField(model_name="distribution", name="compound"),
    ]

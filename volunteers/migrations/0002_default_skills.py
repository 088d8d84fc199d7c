from django.db import migrations

SKILLS = [
    ("driving", "驾驶"), ("medical", "医护"), ("disinfection", "消杀"),
    ("data-entry", "数据录入"), ("languages", "外语/方言"), ("psychology", "心理疏导"),
    ("publicity", "宣传"), ("carrying", "搬运"),
]


def add_skills(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    for order, (code, name) in enumerate(SKILLS):
        Skill.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(add_skills, migrations.RunPython.noop)]

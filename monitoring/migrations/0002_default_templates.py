from django.db import migrations


def load(apps, schema_editor):
    from monitoring.default_templates import load_default_templates

    load_default_templates(
        apps.get_model("monitoring", "MonitoringTemplate"),
        apps.get_model("monitoring", "TemplateItem"),
    )


def load_profile(apps, schema_editor):
    Profile = apps.get_model("monitoring", "MonitoringProfile")
    if not Profile.objects.exists():
        Profile.objects.create(name="default", mode="standalone", is_active=True)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(load_profile, migrations.RunPython.noop),
    ]

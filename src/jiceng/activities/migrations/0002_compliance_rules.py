"""The default 三会一课 compliance rules (jiceng.activities.defaults)."""

from django.db import migrations


def load(apps, schema_editor):
    from jiceng.activities import defaults

    defaults.install(apps)


def unload(apps, schema_editor):
    from jiceng.activities import defaults

    apps.get_model("activities", "ComplianceRule").objects.filter(
        kind__in=[kind for kind, _period, _minimum in defaults.COMPLIANCE_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

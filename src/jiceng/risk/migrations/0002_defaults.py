"""The default signal types, level thresholds and playbooks (jiceng.risk.defaults)."""

from django.db import migrations


def load(apps, schema_editor):
    from jiceng.risk import defaults

    defaults.install(apps)


def unload(apps, schema_editor):
    from jiceng.risk import defaults

    apps.get_model("risk", "SignalType").objects.filter(code__in=[t[0] for t in defaults.SIGNAL_TYPES],
                                                        signals__isnull=True).delete()
    apps.get_model("risk", "LevelThreshold").objects.all().delete()
    apps.get_model("risk", "Playbook").objects.filter(follow_ups__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

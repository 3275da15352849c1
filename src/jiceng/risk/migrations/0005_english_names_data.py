"""English names for the default signal types and playbook actions, and for open follow-ups copied from them
(decision 049). Its own migration: 0004 changes the schema, and PostgreSQL refuses to build deferred indexes on
tables written to earlier in the same transaction."""

from django.db import migrations


def fill(apps, schema_editor):
    from jiceng.risk import defaults

    defaults.fill_english(apps)


class Migration(migrations.Migration):
    dependencies = [("risk", "0004_english_names")]
    # Nothing to undo: 0004's reversal drops the columns.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

"""Notifications stored as sentences become a key and parameters where the sentence matches a template of the
registry (jiceng.accounts.notifications.recognize), in Chinese or English; the others keep their text and show
it as written (decision 048). Its own migration, apart from 0003's schema change (PostgreSQL's deferred index
creation refuses tables written to earlier in the same transaction)."""

from django.db import migrations

BATCH = 2000


def convert(apps, schema_editor):
    from jiceng.accounts.notifications import convert_rows

    convert_rows(apps.get_model("accounts", "Notification"), batch=BATCH)


def unconvert(apps, schema_editor):
    # The sentence is still in `message`: forgetting the key shows it as before.
    apps.get_model("accounts", "Notification").objects.exclude(key="").update(key="", params={})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_notification_key_params")]
    operations = [migrations.RunPython(convert, unconvert)]

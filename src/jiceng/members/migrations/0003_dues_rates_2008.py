"""The dues rate table in force since 2008-04-01 (中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》)."""

from decimal import Decimal

from django.db import migrations

EFFECTIVE = "2008-04-01"
RATES = [
    # category, upper bound (inclusive, None = no bound), percent, fixed amount, max self-declared amount
    ("in_service", "3000.00", "0.5", None, None),
    ("in_service", "5000.00", "1.0", None, None),
    ("in_service", "10000.00", "1.5", None, None),
    ("in_service", None, "2.0", None, None),
    ("retired", "5000.00", "0.5", None, None),
    ("retired", None, "1.0", None, None),
    ("farmer", None, None, "0.20", "1.00"),
    ("student", None, None, "0.20", None),
]


def load(apps, schema_editor):
    DuesRate = apps.get_model("members", "DuesRate")
    for category, bound, percent, fixed, maximum in RATES:
        DuesRate.objects.get_or_create(
            category=category, effective_from=EFFECTIVE, upper_bound=Decimal(bound) if bound else None,
            defaults={"percent": Decimal(percent) if percent else None,
                      "fixed_amount": Decimal(fixed) if fixed else None,
                      "max_amount": Decimal(maximum) if maximum else None})


def unload(apps, schema_editor):
    apps.get_model("members", "DuesRate").objects.filter(effective_from=EFFECTIVE).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]
    operations = [migrations.RunPython(load, unload)]

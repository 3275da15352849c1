"""Holiday tables entered before the calendar had its own app lived in `demands`; carry them over as
published notice years (that is how they were used)."""

from django.db import migrations


def copy(apps, schema_editor):
    OldYear = apps.get_model("demands", "HolidayYear")
    Year = apps.get_model("holidays", "HolidayYear")
    Date = apps.get_model("holidays", "HolidayDate")
    for old in OldYear.objects.all():
        dates = list(old.dates.all())
        summary = "\n".join(f"{d.date.isoformat()} {'上班' if d.is_workday else '放假'} {d.name}"
                            for d in sorted(dates, key=lambda d: d.date))
        year = Year.objects.create(year=old.year, note=old.note, published=True, days_summary=summary)
        Date.objects.bulk_create([Date(holiday_year=year, date=d.date, is_workday=d.is_workday, name=d.name)
                                  for d in dates])


class Migration(migrations.Migration):
    dependencies = [
        ("holidays", "0001_initial"),
        ("demands", "0002_default_categories"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]

"""Demands assigned before departments were data name their department as text: link the ones whose text is the
name (or short name) of a department of the demand's district. Old rows count as signed (they were being handled,
no sign deadline applies to them); the text stays as it was."""

from django.db import migrations


def link(apps, schema_editor):
    Demand = apps.get_model("demands", "Demand")
    Department = apps.get_model("departments", "Department")
    names = {}
    for dept in Department.objects.all():
        names[dept.district_id, dept.name] = dept.pk
        if dept.short_name:
            names.setdefault((dept.district_id, dept.short_name), dept.pk)
    if not names:
        return
    rows = Demand.objects.filter(department__isnull=True).exclude(assignee_department="")
    for pk, district_id, text in rows.values_list("pk", "district_id", "assignee_department").iterator():
        dept_id = names.get((district_id, text.strip()))
        if dept_id is not None:
            Demand.objects.filter(pk=pk).update(department_id=dept_id, department_state="signed")


class Migration(migrations.Migration):
    dependencies = [("demands", "0009_demand_departments_callback"), ("departments", "0001_initial")]
    operations = [migrations.RunPython(link, migrations.RunPython.noop)]

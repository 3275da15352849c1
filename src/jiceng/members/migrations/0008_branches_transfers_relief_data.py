"""Data for 0007: letter validity by destination, and members moved out of 党委/总支 into branches.

Its own migration: the schema changes of 0007 create their indexes at the end of that migration, and PostgreSQL
refuses to build an index on a table (members_historicalmember) with rows written earlier in the same transaction.
"""

from django.db import migrations

# Decision 039: members sit in branches only. Letter validity by destination (decision 040).
LETTER_VALIDITY = [
    ("within_city", 1, "组织关系介绍信有效期按路程远近确定:本市一般1个月内"),
    ("outside_city", 3, "组织关系介绍信有效期一般不超过3个月"),
]


def load_letter_validity(apps, schema_editor):
    LetterValidity = apps.get_model("members", "LetterValidity")
    for scope, months, source in LETTER_VALIDITY:
        LetterValidity.objects.get_or_create(scope=scope, defaults={"months": months, "source": source})


def move_members(apps, schema_editor):
    from jiceng.members.placement import move_misplaced_members

    move_misplaced_members(apps.get_model("organizations", "Organization"), apps.get_model("members", "Member"),
                           apps.get_model("members", "HistoricalMember"),
                           apps.get_model("organizations", "HistoricalOrganization"))


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0007_branches_transfers_relief'),
    ]

    operations = [
        migrations.RunPython(load_letter_validity, migrations.RunPython.noop),
        # Nothing to undo: the members stay in their branches, and the history rows say why they moved.
        migrations.RunPython(move_members, migrations.RunPython.noop),
    ]

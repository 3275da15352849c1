"""Two approved bookings of one room never overlap: on PostgreSQL the database itself refuses it.

An exclusion constraint over (room, [start, end)) for approved rows needs the btree_gist extension (a trusted
extension, so the database owner may create it). SQLite has no such constraint; there the booking service's
locked check is the rule (see services.py). Ranges are half-open, so a booking ending at 10:00 and another
starting at 10:00 do not overlap.
"""

from django.db import migrations

from jiceng.venues.models import NO_OVERLAP_CONSTRAINT

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE venues_booking ADD CONSTRAINT {NO_OVERLAP_CONSTRAINT}
    EXCLUDE USING gist (room_id WITH =, tstzrange("start", "end", '[)') WITH &&)
    WHERE (status = 'approved');
"""
DROP = f"ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS {NO_OVERLAP_CONSTRAINT};"


def create_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [migrations.RunPython(create_constraint, drop_constraint, elidable=False)]

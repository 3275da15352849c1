"""After migrating, SQLite tables that a migration rebuilt (and so lost their planner statistics) are analyzed."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics table")]


def analyzed_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def test_a_table_with_rows_and_no_statistics_is_analyzed_after_migrating(tree):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE places_place")  # a database that was analyzed before
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'places_place'")  # as a table rebuild leaves it
    assert "places_place" not in analyzed_tables()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    tables = analyzed_tables()
    assert "places_place" in tables
    assert "demands_demand" not in tables  # empty: nothing to learn, and nothing written

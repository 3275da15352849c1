"""AlterFieldIndex: a change of db_index alone drops or creates the one index, on SQLite without a rebuild."""

from unittest import mock

import pytest
from django.db import connection, migrations, models
from django.db.migrations.state import ProjectState

from jiceng.core.migration_ops import AlterFieldIndex

APP = "migration_ops_test"


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: info["columns"] for name, info in found.items() if info["index"] and not info["primary_key"]}


def _apply(operation, state: ProjectState, *, forwards: bool = True) -> ProjectState:
    new_state = state.clone()
    operation.state_forwards(APP, new_state)
    with connection.schema_editor() as editor:
        if forwards:
            operation.database_forwards(APP, editor, state, new_state)
        else:
            operation.database_backwards(APP, editor, new_state, state)
    return new_state


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_index_dropped_and_restored_without_touching_the_rows():
    create = migrations.CreateModel("Thing", [
        ("id", models.AutoField(primary_key=True)),
        ("code", models.CharField(max_length=10, db_index=True)),
        ("size", models.IntegerField()),
    ], options={"indexes": [models.Index(fields=["code", "size"], name="thing_code_size")]})
    state = _apply(create, ProjectState())
    table = f"{APP}_thing"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (code, size) VALUES ('a', 1), ('b', 2)")  # noqa: S608 - fixed names
        before = _indexes(table)
        assert ["code"] in before.values() and before["thing_code_size"] == ["code", "size"]

        drop = AlterFieldIndex("Thing", "code", models.CharField(max_length=10, db_index=False))
        if connection.vendor == "sqlite":  # no copy of the table
            from django.db.backends.sqlite3.schema import DatabaseSchemaEditor

            with mock.patch.object(DatabaseSchemaEditor, "_remake_table", side_effect=AssertionError("rebuilt")):
                dropped = _apply(drop, state)
        else:
            dropped = _apply(drop, state)
        after = _indexes(table)
        assert ["code"] not in after.values(), after
        assert after["thing_code_size"] == ["code", "size"]  # the Meta index stays
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code, size FROM {table} ORDER BY id")  # noqa: S608
            assert cursor.fetchall() == [("a", 1), ("b", 2)]

        _apply(drop, state, forwards=False)
        assert ["code"] in _indexes(table).values()
        assert dropped.models[APP, "thing"].fields["code"].db_index is False
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(state.apps.get_model(APP, "Thing"))


def test_a_change_beyond_the_index_is_left_to_django():
    from jiceng.core.migration_ops import _only_index_differs

    assert _only_index_differs(models.IntegerField(db_index=True), models.IntegerField())
    assert not _only_index_differs(models.IntegerField(db_index=True), models.IntegerField(null=True))
    assert not _only_index_differs(models.IntegerField(db_index=True), models.IntegerField(unique=True))

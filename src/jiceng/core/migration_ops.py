"""Migration operations the project needs beyond Django's own."""

from __future__ import annotations

from django.db import migrations
from django.db.models import Index


class AlterFieldIndex(migrations.AlterField):
    """An AlterField that changes only `db_index`. Django rebuilds a SQLite table for any altered field — every
    row copied, once per field: minutes for a city's million demands. Here SQLite drops or creates the one
    index instead, as PostgreSQL does anyway. Any other change falls back to the plain AlterField."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(app_label, schema_editor, from_state, to_state, forwards=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(app_label, schema_editor, from_state, to_state, forwards=False)

    def _alter(self, app_label, schema_editor, from_state, to_state, *, forwards: bool) -> None:
        parent = super().database_forwards if forwards else super().database_backwards
        old_model = from_state.apps.get_model(app_label, self.model_name)
        new_model = to_state.apps.get_model(app_label, self.model_name)
        old, new = old_model._meta.get_field(self.name), new_model._meta.get_field(self.name)
        if schema_editor.connection.vendor != "sqlite" or not _only_index_differs(old, new):
            parent(app_label, schema_editor, from_state, to_state)
            return
        if old.db_index and not new.db_index:
            # The field's own index only: the Meta indexes on the same column stay (as Django's AlterField does).
            keep = {index.name for index in new_model._meta.indexes}
            for name in schema_editor._constraint_names(new_model, [old.column], index=True, type_=Index.suffix,
                                                        exclude=keep):
                schema_editor.execute(schema_editor._delete_index_sql(new_model, name))
        elif new.db_index and not old.db_index:
            schema_editor.execute(schema_editor._create_index_sql(new_model, fields=[new]))


def _only_index_differs(old, new) -> bool:
    def signature(field):
        _name, path, args, kwargs = field.deconstruct()
        kwargs.pop("db_index", None)
        return path, args, kwargs

    return not (old.unique or new.unique) and signature(old) == signature(new)

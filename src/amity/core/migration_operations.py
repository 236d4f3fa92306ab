"""Migration operations of our own, for changes Django would make too expensively."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState
from django.db.models import Index, Model


class AlterFieldIndex(migrations.AlterField):
    """AlterField for a change of `db_index` alone: drops or creates that one index.

    On SQLite, Django's AlterField rebuilds the whole table (copy, drop, rename, every
    index again) for any change, which takes minutes per table at a million rows.
    The state change is AlterField's own, so makemigrations sees no difference.
    """

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        # Backwards, Django passes the later state as from_state: the same code undoes it.
        model: type[Model] = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        # Django's schema editors keep these helpers private and untyped.
        editor: Any = schema_editor
        old: Any = from_state.apps.get_model(app_label, self.model_name)._meta.get_field(self.name)
        new: Any = model._meta.get_field(self.name)
        if old.db_index == new.db_index:
            return
        if new.db_index:
            editor.execute(editor._create_index_sql(model, fields=[new]))
            return
        named = {index.name for index in model._meta.indexes}
        for name in editor._constraint_names(
            model, [old.column], index=True, type_=Index.suffix, exclude=named
        ):
            editor.execute(editor._delete_index_sql(model, name))

    database_backwards = database_forwards

    def describe(self) -> str:
        return f"Alter the index of field {self.name} on {self.model_name}"

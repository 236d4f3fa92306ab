"""Make the audit log append-only in the database itself, not only in the ORM."""

from __future__ import annotations

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION core_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_append_only();",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_audit_append_only();",
]


def forwards(apps: object, schema_editor: object) -> None:
    vendor = schema_editor.connection.vendor  # type: ignore[attr-defined]
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)  # type: ignore[attr-defined]


def backwards(apps: object, schema_editor: object) -> None:
    vendor = schema_editor.connection.vendor  # type: ignore[attr-defined]
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)  # type: ignore[attr-defined]


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

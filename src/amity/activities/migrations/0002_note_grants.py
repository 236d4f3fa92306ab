"""Give the shipped roles of existing workspaces the new `note.create` grant."""

from __future__ import annotations

from typing import Any

from django.db import migrations

WRITERS = ("manager", "sales", "marketing", "support", "billing", "shipping")


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(key__in=WRITERS, is_admin=False):
        if "note" not in role.grants:
            role.grants = {**role.grants, "note": {"create": "all"}}
            role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial"), ("core", "0004_notifications")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

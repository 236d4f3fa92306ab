"""Give the shipped roles of existing workspaces their grants on tasks."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# A copy of core.roles.TASK_GRANTS as it was when tasks arrived.
TASK_GRANTS = {
    "manager": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "sales": {"view": "team", "create": "all", "edit": "team", "delete": "own"},
    "marketing": {"view": "own", "create": "all", "edit": "own", "delete": "own"},
    "support": {"view": "team", "create": "all", "edit": "team", "delete": "own"},
    "billing": {"view": "own", "create": "all", "edit": "own", "delete": "own"},
    "shipping": {"view": "own", "create": "all", "edit": "own", "delete": "own"},
    "readonly": {"view": "all"},
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(key__in=TASK_GRANTS, is_admin=False):
        if "task" not in role.grants:
            role.grants = {**role.grants, "task": TASK_GRANTS[role.key]}
            role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_tasks")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

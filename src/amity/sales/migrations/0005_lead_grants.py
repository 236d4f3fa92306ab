"""Give the shipped roles of existing workspaces the new `lead` grants."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# A copy of core.roles.LEAD_GRANTS as it was when this migration was written.
GRANTS = {
    "manager": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "sales": {"view": "all", "create": "all", "edit": "own", "delete": "own"},
    "marketing": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "readonly": {"view": "all"},
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(key__in=list(GRANTS), is_admin=False):
        if "lead" not in role.grants:
            role.grants = {**role.grants, "lead": GRANTS[role.key]}
            role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_leads"), ("core", "0004_notifications")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

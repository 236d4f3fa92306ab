"""Give the shipped roles of existing workspaces the new `deal` and `pipeline` grants."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# A copy of core.roles.SALES_GRANTS as it was when this migration was written.
GRANTS = {
    "manager": {
        "deal": {"view": "all", "create": "all", "edit": "all", "delete": "all", "export": "all"},
        "pipeline": {"view": "all"},
    },
    "sales": {
        "deal": {"view": "all", "create": "all", "edit": "own", "delete": "own", "export": "own"},
        "pipeline": {"view": "all"},
    },
    "marketing": {"deal": {"view": "all"}, "pipeline": {"view": "all"}},
    "support": {"deal": {"view": "all"}, "pipeline": {"view": "all"}},
    "billing": {"deal": {"view": "all"}, "pipeline": {"view": "all"}},
    "readonly": {"deal": {"view": "all"}, "pipeline": {"view": "all"}},
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(key__in=list(GRANTS), is_admin=False):
        missing = {k: v for k, v in GRANTS[role.key].items() if k not in role.grants}
        if missing:
            role.grants = {**role.grants, **missing}
            role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_pipelines_and_deals"), ("core", "0004_notifications")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

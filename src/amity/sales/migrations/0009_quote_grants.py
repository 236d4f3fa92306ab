"""Give the shipped roles of existing workspaces the `product`, `price_list` and `quote` grants."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# A copy of core.roles' product and quote grants as they were when this was written.
_DEAL = {
    "manager": {"view": "all", "create": "all", "edit": "all", "delete": "all", "export": "all"},
    "sales": {"view": "all", "create": "all", "edit": "own", "delete": "own", "export": "own"},
}
PRODUCT = {
    "manager": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    **{key: {"view": "all"} for key in ("sales", "marketing", "support", "billing", "readonly")},
}
QUOTE = {key: _DEAL.get(key, {"view": "all"}) for key in PRODUCT}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("core", "Role")
    for role in Role.objects.filter(key__in=list(PRODUCT), is_admin=False):
        grants = dict(role.grants)
        grants.setdefault("product", PRODUCT[role.key])
        grants.setdefault("price_list", PRODUCT[role.key])
        grants.setdefault("quote", QUOTE[role.key])
        if grants != role.grants:
            role.grants = grants
            role.save(update_fields=["grants"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0008_products_and_quotes"), ("core", "0004_notifications")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""The roles every workspace starts with (DESIGN §4). Admins can edit them afterwards."""

from __future__ import annotations

from django.db import transaction

from amity.core.models import Role, Workspace

CUSTOMER_TYPES = ("company", "person")


# Who may add notes to the records they can see: every role except read-only.
NOTE_WRITER = {"note": {"create": "all"}}


def _grant(**actions: str) -> dict[str, dict[str, str]]:
    return {
        **{object_type: dict(actions) for object_type in CUSTOMER_TYPES},
        **({} if set(actions) == {"view"} else NOTE_WRITER),
    }


DEFAULT_ROLES: dict[str, tuple[str, bool, dict[str, dict[str, str]]]] = {
    "admin": ("Admin", True, {}),
    "manager": (
        "Manager",
        False,
        {
            **_grant(
                view="all", create="all", edit="all", delete="all", export="all", reveal="all"
            ),
            "audit": {"view": "all"},
        },
    ),
    "sales": (
        "Sales",
        False,
        _grant(view="all", create="all", edit="own", delete="own", export="own"),
    ),
    "marketing": ("Marketing", False, _grant(view="all", create="all", edit="own", export="all")),
    "support": ("Support", False, _grant(view="all", create="all", edit="all")),
    "billing": ("Billing", False, _grant(view="all", edit="all", reveal="all")),
    "shipping": ("Shipping", False, _grant(view="all", edit="team")),
    "readonly": ("Read-only", False, _grant(view="all")),
}


# Deals and pipelines (the sales app). Pipelines are configured by admins only.
SALES_GRANTS: dict[str, dict[str, dict[str, str]]] = {
    "manager": {
        "deal": {
            "view": "all",
            "create": "all",
            "edit": "all",
            "delete": "all",
            "export": "all",
        },
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
# Leads: marketing captures and works them, sales take their own, read-only looks.
LEAD_GRANTS: dict[str, dict[str, str]] = {
    "manager": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "sales": {"view": "all", "create": "all", "edit": "own", "delete": "own"},
    "marketing": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "readonly": {"view": "all"},
}
for _key, _lead in LEAD_GRANTS.items():
    SALES_GRANTS[_key]["lead"] = _lead
for _key, _grants in SALES_GRANTS.items():
    DEFAULT_ROLES[_key][2].update(_grants)
# Tasks (activities): the owner is the assignee, so "team" reaches tasks of the
# assignee's team. Read-only sees every task and changes none.
TASK_GRANTS: dict[str, dict[str, str]] = {
    "manager": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "sales": {"view": "team", "create": "all", "edit": "team", "delete": "own"},
    "marketing": {"view": "own", "create": "all", "edit": "own", "delete": "own"},
    "support": {"view": "team", "create": "all", "edit": "team", "delete": "own"},
    "billing": {"view": "own", "create": "all", "edit": "own", "delete": "own"},
    "shipping": {"view": "own", "create": "all", "edit": "own", "delete": "own"},
    "readonly": {"view": "all"},
}
for _key, _task_grant in TASK_GRANTS.items():
    DEFAULT_ROLES[_key][2]["task"] = dict(_task_grant)

# Products and price lists: admins and managers keep the catalogue, everyone with deals
# reads it. Quotes follow deals: whoever may change a deal may quote on it.
PRODUCT_GRANTS: dict[str, dict[str, str]] = {
    "manager": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    **{key: {"view": "all"} for key in ("sales", "marketing", "support", "billing", "readonly")},
}
for _key, _product_grant in PRODUCT_GRANTS.items():
    DEFAULT_ROLES[_key][2]["product"] = dict(_product_grant)
    DEFAULT_ROLES[_key][2]["price_list"] = dict(_product_grant)
    DEFAULT_ROLES[_key][2]["quote"] = dict(SALES_GRANTS[_key]["deal"])


@transaction.atomic
def install_default_roles(workspace: Workspace) -> dict[str, Role]:
    """Create any missing shipped role in the workspace; leave edited ones alone."""
    roles = {}
    for key, (name, is_admin, grants) in DEFAULT_ROLES.items():
        role, _ = Role.objects.get_or_create(
            workspace=workspace,
            key=key,
            defaults={"name": name, "is_admin": is_admin, "grants": grants},
        )
        roles[key] = role
    return roles

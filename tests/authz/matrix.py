"""Who may do what: the expectations the authorization matrix test checks every route against.

This table is written by hand from DESIGN §4 and the shipped roles, on purpose
independent of core.roles, so a wrong grant in the code shows up as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

# Scope each role has for each action on customer records ("company", "person").
# None: not allowed. "own": only records they own. "all": any in the workspace.
Scope = Literal["own", "team", "all"] | None
ROLES = (
    "alice",
    "bob",
    "sam",
    "carol",
    "dave",
    "erin",
    "frank",
)  # admin, sales×2, support, read-only, manager, billing
CUSTOMER_GRANTS: dict[str, dict[str, Scope]] = {
    "alice": {
        "view": "all",
        "create": "all",
        "edit": "all",
        "delete": "all",
        "reveal": "all",
        "export": "all",
        "privacy": "all",  # data-subject export and erasure: admins only
    },
    "erin": {
        "view": "all",
        "create": "all",
        "edit": "all",
        "delete": "all",
        "reveal": "all",
        "export": "all",
    },
    "bob": {
        "view": "all",
        "create": "all",
        "edit": "own",
        "delete": "own",
        "reveal": None,
        "export": "own",
    },
    "sam": {
        "view": "all",
        "create": "all",
        "edit": "own",
        "delete": "own",
        "reveal": None,
        "export": "own",
    },
    "carol": {
        "view": "all",
        "create": "all",
        "edit": "all",
        "delete": None,
        "reveal": None,
        "export": None,
    },
    "dave": {
        "view": "all",
        "create": None,
        "edit": None,
        "delete": None,
        "reveal": None,
        "export": None,
    },
    "frank": {
        "view": "all",
        "create": None,
        "edit": "all",
        "delete": None,
        "reveal": "all",
        "export": None,
    },
}
# Workspace-level screens: admin only, plus the audit log for managers.
ADMIN_ONLY = {"alice"}
AUDIT_VIEWERS = {"alice", "erin"}
# Tag management changes every record: roles that edit and delete all of them.
TAG_MANAGERS = {"alice", "erin"}
# Roles that may add notes to records they see: all but read-only.
NOTE_WRITERS = {"alice", "bob", "sam", "carol", "erin", "frank"}
# Tasks: the assignee is the owner; "team" reaches the assignee's team (bob and sam).
TASK_GRANTS: dict[str, dict[str, Scope]] = {
    "alice": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "erin": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "bob": {"view": "team", "create": "all", "edit": "team", "delete": "own"},
    "sam": {"view": "team", "create": "all", "edit": "team", "delete": "own"},
    "carol": {"view": "team", "create": "all", "edit": "team", "delete": "own"},
    "dave": {"view": "all", "create": None, "edit": None, "delete": None},
    "frank": {"view": "own", "create": "all", "edit": "own", "delete": "own"},
}
TASK_WRITERS = {role for role, grants in TASK_GRANTS.items() if grants["create"]}

# Deals (the sales app): Sales edit and delete their own, managers all, the rest only view.
# Pipelines are seen by everyone with deals and configured by admins only.
DEAL_GRANTS: dict[str, dict[str, Scope]] = {
    "alice": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "erin": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "bob": {"view": "all", "create": "all", "edit": "own", "delete": "own"},
    "sam": {"view": "all", "create": "all", "edit": "own", "delete": "own"},
    "carol": {"view": "all", "create": None, "edit": None, "delete": None},
    "dave": {"view": "all", "create": None, "edit": None, "delete": None},
    "frank": {"view": "all", "create": None, "edit": None, "delete": None},
}
# Leads: sales their own, managers all, read-only view, support and billing nothing.
LEAD_GRANTS: dict[str, dict[str, Scope]] = {
    "alice": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "erin": {"view": "all", "create": "all", "edit": "all", "delete": "all"},
    "bob": {"view": "all", "create": "all", "edit": "own", "delete": "own"},
    "sam": {"view": "all", "create": "all", "edit": "own", "delete": "own"},
    "carol": {"view": None, "create": None, "edit": None, "delete": None},
    "dave": {"view": "all", "create": None, "edit": None, "delete": None},
    "frank": {"view": None, "create": None, "edit": None, "delete": None},
}
SALES_OBJECTS = ("deal", "pipeline", "quote")
# Products and price lists: admins and managers keep them; everyone who sees deals reads them.
PRODUCT_GRANTS: dict[str, dict[str, Scope]] = {
    role: (
        {"view": "all", "create": "all", "edit": "all", "delete": "all"}
        if role in ("alice", "erin")
        else {"view": "all", "create": None, "edit": None, "delete": None}
    )
    for role in ROLES
}
CATALOGUE_OBJECTS = ("product", "price_list")


def _grants(obj: str | None) -> dict[str, dict[str, Scope]]:
    if obj == "lead":
        return LEAD_GRANTS
    if obj in CATALOGUE_OBJECTS:
        return PRODUCT_GRANTS
    return DEAL_GRANTS if obj in SALES_OBJECTS else CUSTOMER_GRANTS


Target = Literal["own", "other_owner", "other_workspace", "missing"]
TARGETS: tuple[Target, ...] = ("own", "other_owner", "other_workspace", "missing")


@dataclass(frozen=True)
class Rule:
    """How one route is reached and who may use it.

    kind:
      public   - anyone, logged in or not
      member   - any logged-in member of the workspace
      admin    - workspace admins (ADMIN_ONLY)
      audit    - AUDIT_VIEWERS
      create   - members whose role may create `obj`
      deleters - members whose role may delete some `obj` (the trash)
      record   - one record of `obj`, checked for `action` against CUSTOMER_GRANTS
      trashed  - like record, but on a record in the trash
      record_audit - a record's access history: AUDIT_VIEWERS, 404 outside the workspace
      admin_object - a workspace object (member, team, role, invitation) for admins
      own_object   - the user's own object (an API token); anyone else's is a 404
      note_create  - add a note (to a record when targeted): NOTE_WRITERS, 404 outside reach
      note   - one note: view for all; edit/delete by its author (own, if in NOTE_WRITERS)
               or by whoever may edit the record it is on (other_owner)
      task_writers - members whose role may add (and reassign) tasks: TASK_WRITERS
      task   - one task assigned to the role (own) or to someone outside their team
               (other_owner), checked for `action` against TASK_GRANTS
      exporters - members whose role may export some `obj` (list exports)
      editors - members whose role may edit some `obj` (bulk actions)
      tag_managers - TAG_MANAGERS (the tags screen)
      tag_object   - one tag, for TAG_MANAGERS; 404 outside the workspace
    """

    kind: Literal[
        "public",
        "member",
        "admin",
        "audit",
        "create",
        "deleters",
        "record",
        "trashed",
        "record_audit",
        "admin_object",
        "own_object",
        "exporters",
        "note_create",
        "note",
        "editors",
        "task_writers",
        "task",
        "tag_managers",
        "tag_object",
    ]
    method: str = "GET"
    obj: (
        Literal[
            "company",
            "person",
            "note",
            "savedview",
            "deal",
            "pipeline",
            "lead",
            "task",
            "product",
            "price_list",
            "quote",
        ]
        | None
    ) = None
    action: str = "view"
    # Form or JSON body for the request; gets the target record (or None).
    data: Callable[[Any], dict[str, Any]] | None = None
    # HTTP statuses that mean "allowed" (400: let in, but the input was refused).
    ok: frozenset[int] = field(default_factory=lambda: frozenset({200, 201, 204, 302, 400}))
    mutates: bool = False
    # Builds the URL arguments for routes whose target is not a customer record.
    subject: Callable[[Any, Any, Target], Any] | None = None
    url: Callable[[Any], str] | None = None
    # The ETag kind of the record when it is not `obj` (e.g. "deal_person" checked as a deal).
    etag_kind: str | None = None


def expected(rule: Rule, role: str, target: Target | None) -> str:
    """Return "ok", "forbidden", "not_found" for a logged-in role."""
    if rule.kind == "public" or rule.kind == "member":
        return "ok"
    if rule.kind == "admin":
        return "ok" if role in ADMIN_ONLY else "forbidden"
    if rule.kind == "audit":
        return "ok" if role in AUDIT_VIEWERS else "forbidden"
    if rule.kind == "create":
        return "ok" if _grants(rule.obj)[role]["create"] else "forbidden"
    if rule.kind == "deleters":
        return "ok" if CUSTOMER_GRANTS[role]["delete"] else "forbidden"
    if rule.kind == "editors":
        return "ok" if CUSTOMER_GRANTS[role]["edit"] else "forbidden"
    if rule.kind == "exporters":
        return "ok" if CUSTOMER_GRANTS[role]["export"] else "forbidden"
    if rule.kind == "note_create":
        if target in ("other_workspace", "missing"):
            return "not_found"
        return "ok" if role in NOTE_WRITERS else "forbidden"
    if rule.kind == "task_writers":
        return "ok" if role in TASK_WRITERS else "forbidden"
    if rule.kind == "tag_managers":
        return "ok" if role in TAG_MANAGERS else "forbidden"
    assert target is not None
    if rule.kind == "task":
        grants = TASK_GRANTS[role]
        if target in ("other_workspace", "missing") or grants["view"] is None:
            return "not_found"
        if target == "other_owner" and grants["view"] != "all":
            return "not_found"
        scope = grants.get(rule.action) if rule.action != "view" else "all"
        return "ok" if scope == "all" or (scope and target == "own") else "forbidden"
    if rule.kind == "note":
        if target in ("other_workspace", "missing"):
            return "not_found"
        if rule.action == "view":
            return "ok"
        if target == "own" and role in NOTE_WRITERS:
            return "ok"
        return "ok" if CUSTOMER_GRANTS[role]["edit"] == "all" else "forbidden"
    if rule.kind == "tag_object":
        if role not in TAG_MANAGERS:
            return "forbidden"
        return "not_found" if target in ("other_workspace", "missing") else "ok"
    if rule.kind == "admin_object":
        if role not in ADMIN_ONLY:
            return "forbidden"
        return "not_found" if target in ("other_workspace", "missing") else "ok"
    if rule.kind == "own_object":
        return "ok" if target == "own" else "not_found"
    if target in ("other_workspace", "missing"):
        return "not_found"
    if rule.kind == "record_audit":
        return "ok" if role in AUDIT_VIEWERS else "forbidden"
    grants = _grants(rule.obj)[role]
    if not grants["view"]:
        return "not_found"
    scope = grants.get(rule.action)
    if scope == "all" or (scope == "own" and target == "own"):
        return "ok"
    return "forbidden"

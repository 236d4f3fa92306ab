"""TESTPLAN S1 for the API: every operation in the OpenAPI schema × role × record ownership."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from amity.api import api
from tests.authz import subjects
from tests.authz.conftest import api_token, make_record, record_pk, reload
from tests.authz.matrix import ROLES, TARGETS, Rule, expected
from tests.conftest import World

PREFIX = "/api/v1"


def _person_patch(record: Any) -> dict[str, Any]:
    return {"title": "Changed by the matrix"}


def _company_patch(record: Any) -> dict[str, Any]:
    return {"industry": "Matrix"}


API_RULES: dict[str, Rule] = {
    "GET /people/{id}/timeline": Rule("record", obj="person"),
    "GET /companies/{id}/timeline": Rule("record", obj="company"),
    "POST /notes": Rule(
        "note_create",
        method="POST",
        subject=subjects.note_subject,
        data=lambda r: {"subject_type": "person", "subject_id": r.pk, "body": "Matrix"},
    ),
    "GET /notes/{id}": Rule("note", obj="note", subject=subjects.note_record),
    "PATCH /notes/{id}": Rule(
        "note",
        method="PATCH",
        obj="note",
        action="edit",
        subject=subjects.note_record,
        data=lambda r: {"body": "Changed by the matrix"},
        mutates=True,
    ),
    "DELETE /notes/{id}": Rule(
        "note",
        method="DELETE",
        obj="note",
        action="delete",
        subject=subjects.note_record,
        mutates=True,
    ),
    "GET /tasks": Rule("member"),
    "POST /tasks": Rule(
        "task_writers",
        method="POST",
        data=lambda r: {"title": "Matrix task", "due_date": "2030-01-01"},
    ),
    "GET /tasks/{id}": Rule("task", obj="task", subject=subjects.task_record),
    "PATCH /tasks/{id}": Rule(
        "task",
        method="PATCH",
        obj="task",
        action="edit",
        subject=subjects.task_record,
        data=lambda r: {"title": "Changed by the matrix"},
        mutates=True,
    ),
    "DELETE /tasks/{id}": Rule(
        "task",
        method="DELETE",
        obj="task",
        action="delete",
        subject=subjects.task_record,
        mutates=True,
    ),
    "POST /tasks/{id}/complete": Rule(
        "task",
        method="POST",
        obj="task",
        action="edit",
        subject=subjects.task_record,
        mutates=True,
    ),
    # The matrix's tasks are open, so an allowed reopen answers 412 (nothing to reopen).
    "POST /tasks/{id}/reopen": Rule(
        "task",
        method="POST",
        obj="task",
        action="edit",
        subject=subjects.task_record,
        ok=frozenset({200, 412}),
    ),
    "GET /notifications": Rule("member"),
    "POST /notifications/{id}/read": Rule(
        "own_object", method="POST", subject=subjects.notification_record, mutates=True
    ),
    "GET /people/export": Rule("exporters"),
    "GET /companies/export": Rule("exporters"),
    "GET /people/{id}/vcard": Rule("record", obj="person"),
    "GET /people/{id}/privacy-export": Rule("record", obj="person", action="privacy"),
    "POST /people/{id}/erase": Rule(
        "record",
        method="POST",
        obj="person",
        action="privacy",
        data=lambda r: {"confirm": r.full_name if r else "x", "reason": "matrix"},
        mutates=True,
    ),
    "GET /companies": Rule("member"),
    "POST /companies": Rule(
        "create", method="POST", obj="company", data=lambda r: {"name": "API Co"}
    ),
    "GET /companies/{id}": Rule("record", obj="company", action="view"),
    "PATCH /companies/{id}": Rule(
        "record", method="PATCH", obj="company", action="edit", data=_company_patch, mutates=True
    ),
    "DELETE /companies/{id}": Rule(
        "record", method="DELETE", obj="company", action="delete", mutates=True
    ),
    "POST /companies/{id}/restore": Rule(
        "trashed", method="POST", obj="company", action="delete", mutates=True
    ),
    "GET /people": Rule("member"),
    "GET /search": Rule("member"),
    "POST /people": Rule(
        "create", method="POST", obj="person", data=lambda r: {"last_name": "Api"}
    ),
    "GET /people/{id}": Rule("record", obj="person", action="view"),
    "PATCH /people/{id}": Rule(
        "record", method="PATCH", obj="person", action="edit", data=_person_patch, mutates=True
    ),
    "DELETE /people/{id}": Rule(
        "record", method="DELETE", obj="person", action="delete", mutates=True
    ),
    "POST /people/{id}/restore": Rule(
        "trashed", method="POST", obj="person", action="delete", mutates=True
    ),
    "POST /people/{id}/reveal": Rule(
        "record",
        method="POST",
        obj="person",
        action="reveal",
        data=lambda r: {"fields": ["national_id"], "reason": "matrix check"},
    ),
}


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    ops = set()
    for path, methods in schema["paths"].items():
        for method in methods:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                ops.add(f"{method.upper()} {path.removeprefix(PREFIX)}")
    return ops


def test_every_operation_has_a_matrix_entry() -> None:
    """Fail when an API operation is added without saying who may use it."""
    operations = api_operations()
    assert sorted(operations - set(API_RULES)) == [], "Add these operations to API_RULES"
    assert sorted(set(API_RULES) - operations) == [], "Remove these entries from API_RULES"


def _status_class(rule: Rule, status: int) -> str:
    return {404: "not_found", 403: "forbidden"}.get(
        status, "ok" if status in rule.ok else f"unexpected {status}"
    )


def _request(client: Client, rule: Rule, path: str, record: Any, token: str | None) -> Any:
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    version = reload(record)
    if rule.method in ("PATCH", "DELETE"):
        # A current If-Match, so only authorization decides the answer.
        kind = rule.obj
        headers["If-Match"] = f'"{kind}-{record_pk(record)}-v{version[0] if version else 1}"'
    body = json.dumps(rule.data(record)) if rule.data else None
    return client.generic(
        rule.method, path, data=body or "", content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("operation", sorted(API_RULES))
def test_operation(world: World, operation: str) -> None:
    rule = API_RULES[operation]
    template = operation.split(" ", 1)[1]
    has_record = "{id}" in template
    client = Client()
    problems: list[str] = []

    def prepare(user: Any, target: Any) -> tuple[Any, str]:
        if rule.subject is not None:
            record = rule.subject(world, user, target)
        else:
            record = make_record(world, rule.obj or "person", user, target) if has_record else None
        if record is not None and rule.kind == "trashed":
            from amity.customers import services as customers

            owner_ws = world.mallory if target == "other_workspace" else world.alice
            customers.trash(world.member(owner_ws, record.workspace), record)
        path = PREFIX + template.replace("{id}", str(record_pk(record)))
        return record, path

    for target in TARGETS if has_record else [None]:
        record, path = prepare(world.alice, target)
        before = reload(record)
        response = _request(client, rule, path, record, None)
        if response.status_code != 401:
            problems.append(f"anonymous {target}: {response.status_code}, want 401")
        if reload(record) != before:
            problems.append(f"anonymous {target}: record changed")

    for role in ROLES:
        user = getattr(world, role)
        token = api_token(world, user)
        bodies: dict[str, bytes] = {}
        for target in TARGETS if has_record else [None]:
            record, path = prepare(user, target)
            before = reload(record)
            response = _request(client, rule, path, record, token)
            got, want = _status_class(rule, response.status_code), expected(rule, role, target)
            if got != want:
                problems.append(
                    f"{role} {target} {operation}: got {got} ({response.status_code}), want {want}"
                )
            if want != "ok" and rule.mutates and reload(record) != before:
                problems.append(f"{role} {target}: denied but the record changed")
            if target in ("other_workspace", "missing"):
                bodies[target] = response.content
        if has_record and bodies.get("other_workspace") != bodies.get("missing"):
            problems.append(f"{role}: another workspace's 404 differs from a missing record's")

    if has_record:
        token = api_token(world, world.mallory)
        for target in ("own", "other_owner"):
            record, path = prepare(world.alice, target)
            before = reload(record)
            response = _request(client, rule, path, record, token)
            if response.status_code != 404:
                problems.append(
                    f"mallory (other workspace) on acme {target}: {response.status_code}"
                )
            if reload(record) != before:
                problems.append(f"mallory on acme {target}: record changed")
    assert problems == []

"""The audit log CSV: filtered, formula-safe, and itself audited as an export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from amity.core import audit
from amity.core.exports import safe_cell
from amity.core.models import AuditEvent, Role
from tests.conftest import World, tenant_guard_off


def rows(response: StreamingHttpResponse) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text)))


def test_it_exports_the_filtered_events(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    audit.record(
        "update", workspace=world.acme, actor=world.bob, object_type="company", object_id=1
    )
    audit.record("delete", workspace=world.acme, actor=world.bob, object_type="person", object_id=2)
    audit.record(
        "delete", workspace=world.globex, actor=world.mallory, object_type="person", object_id=3
    )
    as_user(world.alice)
    response = client.get("/audit/export.csv", {"action": "delete"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    assert response["Cache-Control"] == "no-store"
    table = rows(response)
    assert table[0][:5] == ["at", "actor", "action", "object_type", "object_id"]
    assert [(r[1], r[2], r[3], r[4]) for r in table[1:]] == [
        ("bob@acme.test", "delete", "person", "2")
    ]


def test_it_audits_the_export(client: Client, as_user: Callable[..., Client], world: World) -> None:
    as_user(world.alice)
    response = client.get("/audit/export.csv", {"object_type": "person"})
    rows(response)
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="export")
    assert (event.workspace_id, event.actor_id, event.object_type) == (
        world.acme.pk,
        world.alice.pk,
        "audit",
    )
    assert event.changes["filters"] == [None, {"object_type": "person"}]
    assert event.changes["rows"] == [None, 0]


def test_it_neutralises_formulas(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    nasty = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "  =HYPERLINK(1)", "plain"]
    for value in nasty:
        audit.record(
            "update",
            workspace=world.acme,
            actor=world.bob,
            object_type="company",
            object_repr=value,
        )
    as_user(world.alice)
    reprs = [r[5] for r in rows(client.get("/audit/export.csv", {"object_type": "company"}))[1:]]
    assert sorted(reprs) == sorted("'" + v if v != "plain" else v for v in nasty)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=cmd", "'=cmd"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-5, "'-5"),
        (" @x", "' @x"),
        ("\0x", "'\0x"),
    ],
)
def test_it_prefixes_cells_that_start_a_formula(value: object, safe: str) -> None:
    assert safe_cell(value) == safe


def test_it_is_refused_to_a_manager_by_default(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    """Managers read the log; exporting it needs the audit export grant."""
    as_user(world.erin)
    assert client.get("/audit/export.csv").status_code == 403
    role = Role.objects.get(workspace=world.acme, key="manager")
    grants = {**role.grants, "audit": {"view": "all", "export": "all"}}
    Role.objects.filter(pk=role.pk, workspace_id=world.acme.pk).update(grants=grants)
    assert client.get("/audit/export.csv").status_code == 200


@pytest.mark.parametrize("name", ["bob", "dave"])
def test_it_is_refused_without_audit_access(
    client: Client, as_user: Callable[..., Client], world: World, name: str
) -> None:
    as_user(getattr(world, name))
    assert client.get("/audit/export.csv").status_code == 403
    with tenant_guard_off():
        assert not AuditEvent.objects.filter(action="export").exists()


def test_it_refuses_bad_filters(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    assert client.get("/audit/export.csv", {"since": "yesterday-ish"}).status_code == 400


def test_it_needs_a_login(client: Client, world: World) -> None:
    response = client.get("/audit/export.csv")
    assert response["Location"] == "/login/?next=/audit/export.csv"

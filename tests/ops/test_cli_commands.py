"""The `amity` command's admin verbs: audit verify, token create, createworkspace, createuser."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from amity.core import services
from amity.core.models import ApiToken, AuditEvent, Membership, User, Workspace
from amity.customers import services as customers
from tests.conftest import PASSWORD, World, tenant_guard_off


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def _raw(sql: str, params: list[object]) -> None:
    """Change the audit table past its triggers, as a database superuser could."""
    with tenant_guard_off(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_audit_verify_says_ok_for_an_intact_log(world: World) -> None:
    customers.create_company(world.member(world.alice), {"name": "Initech"})
    events = AuditEvent.objects.count()
    chains = AuditEvent.objects.values("chain").distinct().count()

    assert _run("audit", "verify").strip() == f"OK: {events} events in {chains} chains"
    assert chains == 2


def test_audit_verify_exits_1_on_a_broken_chain(world: World) -> None:
    company = customers.create_company(world.member(world.alice), {"name": "Initech"})
    event = AuditEvent.objects.get(
        workspace=world.acme, object_type="company", object_id=str(company.pk), action="create"
    )
    _raw("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["Hooli", event.pk])
    err = StringIO()

    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", stdout=StringIO(), stderr=err)

    assert exit_info.value.code == 1
    assert f"BROKEN: {event.chain} #{event.seq}: contents changed after writing" in err.getvalue()


def test_token_create_prints_a_token_that_authenticates(world: World, client: Client) -> None:
    raw = _run("token", "create", "bob@acme.test", "--name", "Script").strip()

    assert raw.startswith("amity_")
    token = ApiToken.objects.get(user=world.bob)
    assert (token.name, token.workspace_id) == ("Script", world.acme.pk)
    assert token.token_hash != raw and raw not in token.token_hash
    membership = services.membership_for_token(raw)
    assert membership is not None and membership.user_id == world.bob.pk
    response = client.get("/api/v1/people", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert client.get("/api/v1/people").status_code == 401


def test_token_create_needs_a_member(world: World) -> None:
    with pytest.raises(CommandError, match="No active member"):
        _run("token", "create", "nobody@acme.test")
    with pytest.raises(CommandError, match="No active member"):
        _run("token", "create", "bob@acme.test", "--workspace", "globex")
    assert ApiToken.objects.count() == 0


def test_createworkspace_and_createuser(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run("createworkspace", "Initech Ltd").strip() == (
        "Created workspace Initech Ltd (slug: initech-ltd)."
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))

    output = _run(
        "createuser",
        "--email",
        "Peter@Initech.test",
        "--workspace",
        "initech-ltd",
        "--role",
        "sales",
        "--name",
        "Peter Gibbons",
        "--team",
        "Printers",
        "--password-stdin",
    )

    assert output.splitlines() == [
        "Created user peter@initech.test.",
        "peter@initech.test is Sales in Initech Ltd.",
    ]
    user = User.objects.get(email="peter@initech.test")
    assert user.full_name == "Peter Gibbons"
    assert authenticate(email="peter@initech.test", password=PASSWORD) == user
    membership = Membership.objects.select_related("role", "team").get(user=user)
    assert (membership.role.key, membership.team and membership.team.name) == (
        "sales",
        "Printers",
    )


def test_createuser_refuses_bad_input(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    base = ["createuser", "--email", "new@acme.test", "--workspace", "acme", "--role"]
    with pytest.raises(CommandError, match="No workspace 'nope'"):
        _run("createuser", "--email", "x@acme.test", "--workspace", "nope", "--role", "admin")
    with pytest.raises(CommandError, match="No role 'boss'"):
        _run(*base, "boss")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="too short"):
        _run(*base, "sales", "--password-stdin")
    with pytest.raises(CommandError, match="exists already"):
        _run("createworkspace", "Acme", "--slug", "acme")
    assert not User.objects.filter(email="new@acme.test").exists()
    assert Workspace.objects.count() == 2

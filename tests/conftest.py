"""The fixture world and the tenant-scoping guard, shared by every test."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client

from amity.core import crypto, services
from amity.core.models import Membership, Team, User, Workspace

# One Chromium for the whole session, shared by every browser test wherever it lives.
pytest_plugins = ["tests.browser_fixtures"]

PASSWORD = "a long enough pass phrase"

# Tables whose rows are found across workspaces by design: who belongs where,
# bearer tokens and invitations looked up by their secret, the audit chains,
# the outbox relay. Every other table with a workspace column is guarded.
UNGUARDED = {
    "core_membership",
    "core_apitoken",
    "core_invitation",
    "core_auditevent",
    "core_auditchainhead",
    "core_outboxmessage",
    "core_idempotencyrecord",
    # The reminder sweep of `amity worker` finds due reminders across workspaces.
    "activities_reminder",
    # A calendar app reading a private feed URL: its secret is looked up across workspaces.
    "activities_calendarfeed",
    # And the scheduled-email sweep finds due emails across workspaces.
    "activities_scheduledemail",
    # An email's open pixel or tracked link: its token is looked up across workspaces.
    "customers_emailtrack",
}
_guard_enabled = [True]


def _guarded_tables() -> set[str]:
    tables = set()
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "workspace" in names and model._meta.db_table not in UNGUARDED:
            tables.add(model._meta.db_table)
    return tables


_SKIP = re.compile(
    r"^\s*(INSERT|CREATE|DROP|ALTER|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET|SHOW)\b",
    re.I,
)


class TenantGuardError(AssertionError):
    pass


def make_guard(tables: set[str]) -> Callable[..., Any]:
    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        if _guard_enabled[0] and not _SKIP.match(sql):
            touched = [t for t in tables if f'"{t}"' in sql]
            if touched and '"workspace_id"' not in sql:
                raise TenantGuardError(
                    f"Query on {touched} without a workspace_id predicate: {sql}"
                )
        return execute(sql, params, many, ctx)

    return guard


@contextmanager
def tenant_guard_off() -> Iterator[None]:
    """Let a test inspect tables across workspaces (assertions only, never app code)."""
    _guard_enabled[0] = False
    try:
        yield
    finally:
        _guard_enabled[0] = True


@pytest.fixture(autouse=True)
def tenant_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any SQL that reads or writes a tenant table without a workspace_id predicate (S2)."""
    if "django_db_setup" not in request.fixturenames and not any(
        name in request.fixturenames for name in ("db", "transactional_db", "world", "live_server")
    ):
        yield
        return
    with connection.execute_wrapper(make_guard(_guarded_tables())):
        yield


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return any(name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def _audit_log_flushable(request: pytest.FixtureRequest) -> Iterator[None]:
    """Keep SQLite's append-only audit trigger in place, and let the between-test flush work.

    SQLite flushes with DELETE, which the append-only trigger refuses: for a
    transactional test the trigger is lifted only for that flush, and every
    test that uses the database puts it back first, whatever ran before it in
    the same process. The flush also leaves the FTS5 search table (not a
    model) behind, so it is emptied here. PostgreSQL flushes with TRUNCATE,
    which row triggers do not see.
    """
    if connection.vendor != "sqlite" or not _uses_db(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE "
            "ON core_auditevent BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
        )
    yield
    if not _is_transactional(request):
        return  # the test's transaction is rolled back
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        cursor.execute("DELETE FROM core_search_fts")


def _uses_db(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "world", "live_server")
    )


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    crypto.clear_cache()
    yield
    crypto.clear_cache()


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    """Run tasks at once and serve static files without a collected manifest."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[Any]


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """Run a real SMTP server on 127.0.0.1 and point the default mailer at it."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Collect(Message):  # type: ignore[misc]
        def handle_message(self, message: Any) -> None:
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    try:
        yield SmtpServer("127.0.0.1", port, received)
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return make_password(PASSWORD)


@dataclass
class World:
    acme: Workspace
    globex: Workspace
    east: Team
    alice: User  # admin, acme
    bob: User  # sales, acme, team East
    carol: User  # support, acme
    dave: User  # read-only, acme
    erin: User  # manager, acme
    frank: User  # billing, acme
    sam: User  # sales, acme, team East (bob's teammate)
    mallory: User  # admin, globex

    def member(self, user: User, workspace: Workspace | None = None) -> Membership:
        return Membership.objects.select_related("workspace", "role", "team", "user").get(
            user=user, workspace=workspace or self.acme
        )


@pytest.fixture
def world(db: None, password_hash: str) -> World:
    acme = services.create_workspace("Acme", "acme")
    globex = services.create_workspace("Globex", "globex")
    east = Team.objects.create(workspace=acme, name="East")

    def user(name: str, workspace: Workspace, role: str, team: Team | None = None) -> User:
        u = User.objects.create(
            email=f"{name}@{workspace.slug}.test", full_name=name.title(), password=password_hash
        )
        services.add_member(workspace, u, role, team=team)
        return u

    return World(
        acme=acme,
        globex=globex,
        east=east,
        alice=user("alice", acme, "admin"),
        bob=user("bob", acme, "sales", east),
        carol=user("carol", acme, "support"),
        dave=user("dave", acme, "readonly"),
        erin=user("erin", acme, "manager"),
        frank=user("frank", acme, "billing"),
        sam=user("sam", acme, "sales", east),
        mallory=user("mallory", globex, "admin"),
    )


def login(client: Client, user: User) -> Client:
    """Log the client in through the real login form (session rotation, audit and all)."""
    response = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def as_user(client: Client) -> Callable[[User], Client]:
    def _as(user: User) -> Client:
        client.force_login(user)
        session = client.session
        session["epoch"] = user.session_epoch
        session["started_at"] = 10**10
        session.save()
        return client

    return _as

"""The audit log screen: who may see it, filters, and keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from pytest_django.asserts import assertContains, assertNotContains

from amity.core import audit
from amity.core.models import AuditEvent
from tests.conftest import World, tenant_guard_off


def events(world: World, count: int, **fields: object) -> None:
    for i in range(count):
        audit.record(
            fields.get("action", "update"),
            workspace=fields.get("workspace", world.acme),
            actor=fields.get("actor", world.bob),
            object_type=str(fields.get("object_type", "company")),
            object_id=str(fields.get("object_id", i)),
            object_repr=f"Firm {i}",
            changes={"phone": ["•••• 12", "•••• 34"]},
        )


@pytest.mark.parametrize("name", ["alice", "erin"])
def test_it_shows_the_workspaces_events(
    client: Client,
    as_user: Callable[..., Client],
    world: World,
    name: str,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    events(world, 3)
    events(world, 2, workspace=world.globex, actor=world.mallory, object_type="secret")
    as_user(getattr(world, name))
    with django_assert_num_queries(11):
        response = client.get("/audit/")
    assert response.status_code == 200
    items = response.context["page"].items
    assert {e.workspace_id for e in items} == {world.acme.pk}
    assertContains(response, "Firm 2")
    assertContains(response, "•••• 34")
    assertNotContains(response, "secret:")
    first = items[0]
    assertContains(response, first.request_id or "—")


@pytest.mark.parametrize("name", ["bob", "carol", "dave", "frank"])
def test_it_is_hidden_from_roles_without_audit_access(
    client: Client, as_user: Callable[..., Client], world: World, name: str
) -> None:
    as_user(getattr(world, name))
    assert client.get("/audit/").status_code == 403


def test_it_needs_a_login(client: Client, world: World) -> None:
    assert client.get("/audit/")["Location"] == "/login/?next=/audit/"


def test_it_filters(client: Client, as_user: Callable[..., Client], world: World) -> None:
    events(world, 3, actor=world.bob)
    events(world, 2, actor=world.carol, action="delete", object_type="person", object_id="42")
    as_user(world.erin)
    page = client.get("/audit/", {"actor": world.carol.pk}).context["page"]
    assert {e.actor_id for e in page.items} == {world.carol.pk} and page.total == 2
    page = client.get("/audit/", {"action": "delete", "object_type": "person"}).context["page"]
    assert page.total == 2
    page = client.get("/audit/", {"object_type": "person", "object_id": "42"}).context["page"]
    assert page.total == 2
    page = client.get("/audit/", {"object_type": "company", "actor": world.carol.pk}).context[
        "page"
    ]
    assert page.total == 0


def test_it_filters_by_date(client: Client, as_user: Callable[..., Client], world: World) -> None:
    events(world, 2)
    as_user(world.erin)
    today = timezone.now().date()
    yesterday = today - timedelta(days=1)
    assert client.get("/audit/", {"since": today, "until": today}).context["page"].total >= 2
    assert client.get("/audit/", {"until": yesterday}).context["page"].total == 0
    assert client.get("/audit/", {"since": today + timedelta(days=1)}).context["page"].total == 0


def test_it_ignores_bad_filters(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    events(world, 2)
    as_user(world.erin)
    response = client.get("/audit/", {"since": "not a date", "actor": "999999", "after": "zzz"})
    assert response.status_code == 200
    assert response.context["page"].total >= 2


def test_it_pages_with_a_cursor(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    events(world, 120)
    as_user(world.erin)
    with tenant_guard_off():
        total = AuditEvent.objects.filter(workspace=world.acme).count()
    seen: list[int] = []
    response = client.get("/audit/")
    while True:
        page = response.context["page"]
        assert len(page.items) <= 50
        seen += [e.pk for e in page.items]
        if not page.next_cursor:
            break
        response = client.get("/audit/", {"after": page.next_cursor})
    assert len(seen) == len(set(seen)) == total
    back = client.get("/audit/", {"before": page.prev_cursor}).context["page"]
    assert [e.pk for e in back.items] == seen[-len(page.items) - 50 : -len(page.items)]


def test_it_answers_htmx_with_the_rows_only(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    events(world, 2)
    as_user(world.erin)
    response = client.get("/audit/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="audit-events"' in response.content


def test_it_offers_the_export_of_the_filtered_events_to_admins(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    response = client.get("/audit/", {"action": "delete", "after": "x"})
    assertContains(response, 'href="/audit/export.csv?action=delete"')
    as_user(world.erin)
    assertNotContains(client.get("/audit/"), "/audit/export.csv")


@pytest.mark.parametrize(
    ("scope", "actors"),
    [("own", {"bob"}), ("team", {"bob", "sam"}), ("all", {"bob", "sam", "carol"})],
)
def test_it_limits_the_log_to_the_grants_scope(
    client: Client, as_user: Callable[..., Client], world: World, scope: str, actors: set[str]
) -> None:
    """An `own` audit grant shows the member's own actions, `team` their team's."""
    role = world.member(world.bob).role
    role.grants = {**role.grants, "audit": {"view": scope, "export": scope}}
    role.save()
    for name in ("bob", "sam", "carol"):
        events(world, 1, actor=getattr(world, name), object_id=name)
    as_user(world.bob)
    shown = {e.object_id for e in client.get("/audit/").context["page"].items}
    assert shown & {"bob", "sam", "carol"} == actors
    response = client.get("/audit/export.csv")
    exported = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert {name for name in ("bob", "sam", "carol") if f",{name}," in exported} == actors

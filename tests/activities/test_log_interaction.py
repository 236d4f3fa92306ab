"""Logging a call or a meeting from a person or company page; it lands on their timeline."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.activities.models import Interaction
from amity.core.models import User
from amity.customers import privacy
from amity.customers.models import TimelineEvent
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _entries() -> list[tuple[str, str]]:
    with tenant_guard_off():
        return list(TimelineEvent.objects.exclude(kind="change").values_list("kind", "summary"))


def test_it_logs_a_call_with_a_person(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world, first_name="Ann")
    client = as_user(world.bob)
    assert b"Log a call or meeting" in client.get(f"/people/{ann.pk}/").content
    response = client.post(
        f"/people/{ann.pk}/log/",
        {
            "kind": "call",
            "direction": "inbound",
            "outcome": "connected",
            "duration_minutes": "15",
            "notes": "Wants a quote",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/people/{ann.pk}/"
    with tenant_guard_off():
        call = Interaction.objects.get()
    assert (call.kind, call.direction, call.outcome, call.duration_minutes, call.author_id) == (
        "call",
        "inbound",
        "connected",
        15,
        world.bob.pk,
    )
    assert _entries() == [("call", "Inbound call, connected, 15 min: Wants a quote")]
    assert (
        b"Inbound call, connected, 15 min: Wants a quote"
        in client.get(f"/people/{ann.pk}/").content
    )


def test_it_logs_a_meeting_with_a_company(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    response = as_user(world.carol).post(
        f"/companies/{initech.pk}/log/",
        {
            "kind": "meeting",
            "direction": "inbound",
            "outcome": "held",
            "occurred_at": "2026-01-05T10:00",
        },
    )
    assert response.status_code == 302
    with tenant_guard_off():
        meeting = Interaction.objects.get()
    assert (meeting.kind, meeting.direction, meeting.company_id) == ("meeting", "", initech.pk)
    assert _entries() == [("meeting", "Meeting, held")]


def test_it_refuses_an_outcome_that_does_not_fit(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    response = as_user(world.bob).post(
        f"/people/{ann.pk}/log/", {"kind": "meeting", "outcome": "voicemail"}
    )
    assert response.status_code == 400
    assert b"Choose an outcome that fits." in response.content
    assert _entries() == []


def test_it_refuses_the_future(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.bob).post(
        f"/people/{ann.pk}/log/",
        {
            "kind": "call",
            "direction": "outbound",
            "outcome": "busy",
            "occurred_at": "2099-01-01T10:00",
        },
    )
    assert response.status_code == 400 and _entries() == []


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    assert as_user(world.bob).get(f"/people/{ann.pk}/log/").status_code == 405


def test_it_checks_ownership(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.mallory).post(
        f"/people/{ann.pk}/log/", {"kind": "call", "direction": "outbound", "outcome": "busy"}
    )
    assert response.status_code == 404 and _entries() == []


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.dave).post(
        f"/people/{ann.pk}/log/", {"kind": "call", "direction": "outbound", "outcome": "busy"}
    )
    assert response.status_code == 403 and _entries() == []


def test_it_exports_and_erases_calls_with_a_person(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    as_user(world.bob).post(
        f"/people/{ann.pk}/log/",
        {"kind": "call", "direction": "outbound", "outcome": "voicemail", "notes": "Call back"},
    )
    with tenant_guard_off():
        sections = privacy.collect(ann)
        assert [c["notes"] for c in sections["calls_and_meetings"]] == ["Call back"]
        assert privacy.sections()
        for section in privacy.sections():
            if section.name == "calls_and_meetings":
                assert section.erase(ann, None) == 1
        assert Interaction.objects.count() == 0

"""POST /api/v1/notes, GET/PATCH/DELETE /api/v1/notes/{id}."""

from __future__ import annotations

import json

from django.test import Client

from amity.activities import services
from amity.activities.models import Note
from amity.core import services as core_services
from amity.core.models import User
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _headers(world: World, user: User, **extra: str) -> dict[str, str]:
    workspace = world.globex if user == world.mallory else world.acme
    _, raw = core_services.create_token(world.member(user, workspace), "t")
    return {"Authorization": f"Bearer {raw}", **extra}


def _send(method: str, path: str, headers: dict[str, str], body: object = None) -> object:
    data = json.dumps(body) if body is not None else ""
    return Client().generic(
        method, path, data=data, content_type="application/json", headers=headers
    )


def _bodies() -> list[tuple[str, bool]]:
    with tenant_guard_off():
        return [(n.body, n.deleted_at is None) for n in Note.objects.order_by("id")]


def test_it_creates_reads_updates_and_deletes_a_note(world: World) -> None:
    ann = helpers.person(world)
    headers = _headers(world, world.bob)
    created = _send(
        "POST",
        "/api/v1/notes",
        headers,
        {"subject_type": "person", "subject_id": ann.pk, "body": "Hello <b>x</b>"},
    )
    assert created.status_code == 201  # type: ignore[attr-defined]
    out = created.json()  # type: ignore[attr-defined]
    assert out["html"] == "<p>Hello &lt;b&gt;x&lt;/b&gt;</p>"
    assert (out["subject_type"], out["subject_id"], out["author"]) == (
        "person",
        ann.pk,
        world.bob.pk,
    )
    etag = created["ETag"]  # type: ignore[index]
    assert etag == f'"note-{out["id"]}-v1"'
    path = f"/api/v1/notes/{out['id']}"
    assert _send("GET", path, headers).json()["body"] == "Hello <b>x</b>"  # type: ignore[attr-defined]
    assert _send("PATCH", path, headers, {"body": "Bye"}).status_code == 428  # type: ignore[attr-defined]
    patched = _send("PATCH", path, {**headers, "If-Match": etag}, {"body": "Bye"})
    assert patched.status_code == 200 and patched["ETag"] == f'"note-{out["id"]}-v2"'  # type: ignore[attr-defined,index]
    assert _send("DELETE", path, {**headers, "If-Match": etag}).status_code == 412  # type: ignore[attr-defined]
    deleted = _send("DELETE", path, {**headers, "If-Match": patched["ETag"]})  # type: ignore[index]
    assert deleted.status_code == 204  # type: ignore[attr-defined]
    assert _bodies() == [("Bye", False)]
    assert _send("GET", path, headers).status_code == 404  # type: ignore[attr-defined]


def test_it_refuses_a_read_only_role_and_other_workspaces(world: World) -> None:
    ann = helpers.person(world)
    body = {"subject_type": "person", "subject_id": ann.pk, "body": "Hi"}
    assert _send("POST", "/api/v1/notes", _headers(world, world.dave), body).status_code == 403  # type: ignore[attr-defined]
    assert _send("POST", "/api/v1/notes", _headers(world, world.mallory), body).status_code == 404  # type: ignore[attr-defined]
    assert _send("POST", "/api/v1/notes", {}, body).status_code == 401  # type: ignore[attr-defined]
    assert _bodies() == []


def test_a_colleague_without_edit_rights_cannot_patch(world: World) -> None:
    ann = helpers.person(world)
    note = services.create_note(world.member(world.bob), ann, "Mine")
    path = f"/api/v1/notes/{note.pk}"
    headers = _headers(world, world.sam, **{"If-Match": f'"note-{note.pk}-v1"'})
    assert _send("PATCH", path, headers, {"body": "Yours"}).status_code == 403  # type: ignore[attr-defined]
    assert _send("DELETE", path, headers).status_code == 403  # type: ignore[attr-defined]
    assert _bodies() == [("Mine", True)]

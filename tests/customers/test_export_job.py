"""Large list exports run in the background; only the asker may download (S18)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from amity.core.models import AuditEvent, User
from amity.customers import exports
from amity.customers.models import ExportJob
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


@pytest.fixture(autouse=True)
def _small_limit(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(exports, "SYNC_LIMIT", 3)


def _events(action: str) -> list[AuditEvent]:
    with tenant_guard_off():
        return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def _job(world: World, django_capture_on_commit_callbacks: Any, user: User) -> ExportJob:
    for n in range(5):
        helpers.person(world, last_name=f"Big{n}", owner=world.alice)
    client = helpers.client_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/people/export/?format=csv&q=Big")
    with tenant_guard_off():
        job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{job.pk}/"
    return job


def test_it_builds_a_large_export_in_the_background_and_serves_it_once_done(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = _job(world, django_capture_on_commit_callbacks, world.alice)
    assert (job.status, job.total, job.done, job.user_id) == ("done", 5, 5, world.alice.pk)
    [export] = _events("export")
    assert export.changes == {"format": "csv", "count": 5, "filters": {"q": "Big", "sort": "name"}}
    client = helpers.client_for(world.alice)
    page = client.get(f"/exports/{job.pk}/")
    assert f'href="/exports/{job.pk}/download/"' in page.content.decode()
    assert 'hx-trigger="every 2s"' not in page.content.decode()
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert [r[2] for r in rows[1:]] == [f"Big{n}" for n in range(5)]
    [download] = _events("download")
    assert (download.actor_id, download.object_id) == (world.alice.pk, str(job.pk))


def test_it_polls_while_the_job_is_running(world: World, as_user: Callable[[User], Client]) -> None:
    job = ExportJob.objects.create(
        workspace=world.acme, user=world.alice, kind="person", format="csv", total=10, done=4
    )
    html = as_user(world.alice).get(f"/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html
    assert "/download/" not in html


def test_it_hides_a_job_from_everyone_but_the_asker(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = _job(world, django_capture_on_commit_callbacks, world.erin)
    for user in (world.alice, world.bob, world.mallory):
        client = helpers.client_for(user)
        assert client.get(f"/exports/{job.pk}/").status_code == 404
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert _events("download") == []
    assert Client().get(f"/exports/{job.pk}/download/").status_code == 302


def test_it_exports_only_own_rows_in_the_background_for_sales(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(4):
        helpers.person(world, last_name=f"Big{n}", owner=world.bob)
    job = _job(world, django_capture_on_commit_callbacks, world.bob)
    assert (job.total, job.done) == (4, 4)

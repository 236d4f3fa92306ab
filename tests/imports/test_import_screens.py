"""The import screens end to end: upload, mapping, dry run, start, done, report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.customers.models import ImportJob, Person
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers as customer_helpers
from tests.imports import helpers


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _upload(client: Any, data: str = helpers.PEOPLE_CSV, name: str = "people.csv") -> Any:
    return client.post(
        "/people/import/", {"file": SimpleUploadedFile(name, data.encode(), "text/csv")}
    )


def test_it_walks_from_upload_to_a_downloadable_error_report(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = customer_helpers.client_for(world.bob)
    response = _upload(client)
    job = ImportJob.objects.get(workspace=world.acme)
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/mapping/"
    page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert '<option value="email" selected>' in page
    assert "ada@example.test" in page  # an example under its column
    form = {f"col_{i}": key for i, key in job.mapping.items()}
    response = client.post(
        f"/imports/{job.pk}/mapping/", {**form, "match_on": "email", "on_match": "skip"}
    )
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Step 3 of 3: dry run" in page
    assert "Not a valid email address." in page
    assert Person.objects.filter(workspace=world.acme).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/imports/{job.pk}/start/")
    assert response.status_code == 302
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "The import is done." in page
    assert f'href="/imports/{job.pk}/errors/"' in page
    assert 'hx-trigger="every 1s"' not in page
    assert Person.objects.filter(workspace=world.acme, owner=world.bob).count() == 3
    report = client.get(f"/imports/{job.pk}/errors/")
    assert report["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    body = b"".join(report.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [
        ["Row", "Column", "Value", "Reason"],
        ["4", "Email Address", "not-an-email", "Not a valid email address."],
    ]


def test_it_polls_while_the_import_is_queued(world: World) -> None:
    job = helpers.upload_and_map(world)
    with tenant_guard_off():
        ImportJob.objects.filter(pk=job.pk).update(status="queued")
    page = customer_helpers.client_for(world.alice).get(f"/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for the worker" in page


def test_it_refuses_a_file_of_another_kind(world: World) -> None:
    client = customer_helpers.client_for(world.alice)
    response = _upload(client, "x", name="people.pdf")
    assert response.status_code == 400
    assert "Upload a .csv, .xlsx or .vcf file." in response.content.decode()
    assert not ImportJob.objects.filter(workspace=world.acme).exists()


def test_it_refuses_a_mapping_without_a_last_name(world: World) -> None:
    job = helpers.upload_and_map(world)
    client = customer_helpers.client_for(world.alice)
    response = client.post(
        f"/imports/{job.pk}/mapping/",
        {"col_0": "first_name", "match_on": "email", "on_match": "skip"},
    )
    assert response.status_code == 400
    assert "Map a column to the last name (or the full name)." in response.content.decode()


def test_it_hides_a_job_from_everyone_but_its_owner(world: World) -> None:
    job = helpers.upload_and_map(world)
    for user in (world.bob, world.mallory):
        client = customer_helpers.client_for(user)
        assert client.get(f"/imports/{job.pk}/").status_code == 404
        assert client.get(f"/imports/{job.pk}/errors/").status_code == 404
        assert client.post(f"/imports/{job.pk}/cancel/").status_code == 404
    assert ImportJob.objects.get(pk=job.pk, workspace=world.acme).status == "mapping"


def test_it_keeps_read_only_members_out(world: World) -> None:
    client = customer_helpers.client_for(world.dave)
    assert client.get("/people/import/").status_code == 403
    assert _upload(client).status_code == 403
    assert not ImportJob.objects.filter(workspace=world.acme).exists()


def test_it_lists_my_imports_only(world: World, django_assert_num_queries: Any) -> None:
    helpers.upload_and_map(world)
    helpers.upload_and_map(world, user=world.bob)
    client = customer_helpers.client_for(world.alice)
    client.get("/imports/")
    with django_assert_num_queries(6):
        page = client.get("/imports/").content.decode()
    assert page.count("people.csv") == 1


def test_it_cancels_a_job_before_it_starts_and_deletes_its_file(world: World) -> None:
    from amity.customers.imports import jobs

    job = helpers.upload_and_map(world)
    path = jobs.import_dir() / job.file_name
    assert path.exists()
    client = customer_helpers.client_for(world.alice)
    client.post(f"/imports/{job.pk}/cancel/")
    assert ImportJob.objects.get(pk=job.pk, workspace=world.acme).status == "cancelled"
    assert not path.exists()


def test_it_offers_to_run_again_an_import_whose_worker_died(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = helpers.upload_and_map(world)
    with tenant_guard_off():
        ImportJob.objects.filter(pk=job.pk).update(
            status="running", started_at=timezone.now() - timedelta(minutes=5)
        )
    page = customer_helpers.client_for(world.alice).get(f"/imports/{job.pk}/").content.decode()
    assert "the worker may have stopped" in page
    assert f'action="/imports/{job.pk}/retry/"' in page

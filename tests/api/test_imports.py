"""POST /imports, GET /imports/{id}, GET /imports/{id}/errors, POST /imports/{id}/cancel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amity.customers.models import ImportJob, Person
from tests.api.conftest import PREFIX, token_for
from tests.conftest import World
from tests.imports import helpers


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def settings_var() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


def _post(world: World, user: Any = None, **fields: Any) -> Any:
    token = token_for(world, user or world.alice)
    data = {"file": SimpleUploadedFile("people.csv", helpers.PEOPLE_CSV.encode()), **fields}
    return Client().post(f"{PREFIX}/imports", data, headers={"Authorization": f"Bearer {token}"})


def _get(world: World, path: str, user: Any = None) -> Any:
    token = token_for(world, user or world.alice)
    return Client().get(PREFIX + path, headers={"Authorization": f"Bearer {token}"})


def test_it_dry_runs_a_file_without_storing_anything(world: World) -> None:
    response = _post(
        world,
        dry_run="true",
        mapping=json.dumps({"Last Name": "last_name", "Email Address": "email"}),
    )
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "rows": 4,
        "mapping": {"Last Name": "last_name", "Email Address": "email"},
        "counts": {"create": 3, "update": 0, "unchanged": 0, "skip": 0, "error": 1},
        "new_companies": 0,
        "errors": [
            {
                "row": 4,
                "column": "Email Address",
                "value": "not-an-email",
                "reason": "Not a valid email address.",
            }
        ],
    }
    assert not ImportJob.objects.filter(workspace=world.acme).exists()


def test_it_imports_in_the_background_and_reports_progress_and_errors(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, match_on="email", on_match="skip")
    assert response.status_code == 201
    job = ImportJob.objects.get(workspace=world.acme)
    assert response["Location"] == f"/api/v1/imports/{job.pk}"
    state = json.loads(_get(world, f"/imports/{job.pk}").content)
    assert (state["status"], state["rows"], state["progress"]["percent"]) == ("done", 4, 100)
    assert state["counts"] == {"create": 3, "update": 0, "unchanged": 0, "skip": 0, "error": 1}
    assert state["mapping"]["Email Address"] == "email"
    report = _get(world, f"/imports/{job.pk}/errors")
    assert report.status_code == 200
    assert b"".join(report.streaming_content).decode().splitlines() == [
        "Row,Column,Value,Reason",
        "4,Email Address,not-an-email,Not a valid email address.",
    ]
    assert Person.objects.filter(workspace=world.acme).count() == 3


def test_it_cancels_a_queued_import(world: World) -> None:
    job_id = json.loads(_post(world).content)["id"]  # never run: on_commit is not executed
    token = token_for(world, world.alice)
    response = Client().post(
        f"{PREFIX}/imports/{job_id}/cancel", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "cancelled"


def test_it_answers_404_for_someone_elses_import(world: World) -> None:
    job_id = json.loads(_post(world).content)["id"]
    for user in (world.bob, world.mallory):
        assert _get(world, f"/imports/{job_id}", user).status_code == 404
        assert _get(world, f"/imports/{job_id}/errors", user).status_code == 404


def test_it_refuses_members_who_may_not_create(world: World) -> None:
    response = _post(world, world.dave)
    assert response.status_code == 403
    assert not ImportJob.objects.filter(workspace=world.acme).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "deal"}, "kind must be person or company."),
        ({"match_on": "fax"}, "match_on or on_match is not one of the choices."),
        ({"mapping": "[1]"}, "mapping must be a JSON object."),
        (
            {"mapping": json.dumps({"Nope": "email"})},
            "The mapping names a column the file does not have.",
        ),
        (
            {"mapping": json.dumps({"Email Address": "email"})},
            "Map a column to the last name (or the full name).",
        ),
    ],
)
def test_it_says_what_is_wrong_with_the_request(
    world: World, fields: dict[str, str], message: str
) -> None:
    response = _post(world, **fields)
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["message"] == message
    assert not ImportJob.objects.filter(workspace=world.acme).exclude(status="cancelled").exists()
    assert not list((Path(settings_var()) / "imports").glob("*.csv"))

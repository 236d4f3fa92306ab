"""GET /healthz: the load balancer's probe."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client


def test_it_answers_ok(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_it_needs_no_login_and_sets_no_cookie(db: None) -> None:
    response = Client().get("/healthz")
    assert response.cookies == {}


def test_it_answers_503_when_the_database_fails(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database is down")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", fail)
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable"}


def test_it_accepts_only_get(db: None) -> None:
    assert Client().post("/healthz").status_code == 405

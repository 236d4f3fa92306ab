"""S16: security headers on every kind of response, TRACE refused, and `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings

from amity.core import services
from tests.conftest import World, login


def assert_strict_headers(response: HttpResponse, *, page: bool = True) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    directives = dict((part.strip() + " ").split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"].strip() == "'none'"
    assert directives["object-src"].strip() == "'none'"
    if page:
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cache-Control"] == "no-store"


def test_it_guards_the_login_page(client: Client, db: None) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert_strict_headers(response)
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content


def test_it_guards_a_page_with_customer_data(client: Client, world: World) -> None:
    login(client, world.alice)
    for url in ("/audit/", "/members/", "/account/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict_headers(response)
        body = response.content.decode()
        assert "<script>" not in body and " style=" not in body and " onclick=" not in body


def test_it_guards_api_json(client: Client, world: World) -> None:
    _, secret = services.create_token(world.member(world.alice), "headers")
    for response in (
        client.get("/api/v1/companies", headers={"Authorization": f"Bearer {secret}"}),
        client.get("/api/v1/companies"),
    ):
        assert response["Content-Type"].startswith("application/json")
        assert_strict_headers(response)


def test_it_guards_the_not_found_page(client: Client, world: World) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict_headers(response)
    login(client, world.bob)
    response = client.get("/members/999999/deactivate/")
    assert response.status_code == 405
    assert_strict_headers(response)


def test_it_guards_static_files(db: None) -> None:
    with override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client().get("/static/web/amity.css")
        assert response.status_code == 200
        assert_strict_headers(response, page=False)
        assert "sandbox" in response["Content-Security-Policy"]
        assert response.get("Set-Cookie") is None
        b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url", ["/login/", "/account/", "/api/v1/companies", "/static/web/amity.css"]
)
def test_it_refuses_trace(client: Client, db: None, url: str) -> None:
    response = client.generic("TRACE", url)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]


def test_it_passes_the_deployment_check(tmp_path: Path) -> None:
    """`check --deploy` with TLS on and DEBUG off: 0 warnings, 0 silenced."""
    env = {
        **os.environ,
        "AMITY_TLS": "1",
        "AMITY_DEBUG": "0",
        "AMITY_VAR_DIR": str(tmp_path),
        "AMITY_ALLOWED_HOSTS": "crm.example.org",
        "DJANGO_SETTINGS_MODULE": "amity.settings",
    }
    env.pop("DATABASE_URL", None)
    # Browser tests allow sync ORM calls under their event loop; a server never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_it_uses_host_only_secure_cookies_under_tls(tmp_path: Path) -> None:
    env = {**os.environ, "AMITY_TLS": "1", "AMITY_VAR_DIR": str(tmp_path)}
    code = (
        "from amity import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == [
        "__Host-amity_session",
        "True",
        "True",
        "Lax",
        "__Host-amity_csrf",
        "True",
        "31536000",
        "True",
    ]

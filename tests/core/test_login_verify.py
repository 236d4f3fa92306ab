"""S6: the code step after the password, for users with two-factor authentication."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from amity.core.models import AuditEvent, LoginFailure, RecoveryCode
from tests.conftest import PASSWORD, World, tenant_guard_off
from tests.core.twofactor import code_for, enable_two_factor

NOW = 1_900_000_005.0  # the middle of a 30-second step


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stop the clock the TOTP check reads, so step boundaries never make a test flaky."""
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=lambda: NOW))


@pytest.fixture
def device(world: World) -> TOTPDevice:
    return enable_two_factor(world.alice)[0]


def password_step(client: Client, world: World) -> None:
    response = client.post("/login/", {"email": world.alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/login/verify/"


def test_it_asks_for_a_code_after_the_password(
    client: Client, device: TOTPDevice, world: World
) -> None:
    password_step(client, world)
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    response = client.get("/login/verify/")
    assert response.status_code == 200
    assert b'autocomplete="one-time-code"' in response.content


def test_it_logs_in_with_the_code(
    client: Client, device: TOTPDevice, world: World, clock: None
) -> None:
    password_step(client, world)
    pending_key = client.session.session_key
    response = client.post("/login/verify/", {"code": code_for(device, NOW)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(world.alice.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.session.session_key != pending_key
    with tenant_guard_off():
        assert AuditEvent.objects.get(action="login").reason == "two-factor"


def test_it_rejects_a_replayed_code(
    client: Client, device: TOTPDevice, world: World, clock: None
) -> None:
    code = code_for(device, NOW)
    password_step(client, world)
    assert client.post("/login/verify/", {"code": code}).status_code == 302
    other = Client()
    password_step(other, world)
    response = other.post("/login/verify/", {"code": code})
    assert response.status_code == 401
    assert "_auth_user_id" not in other.session


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_it_tolerates_one_step_of_clock_drift(
    client: Client, device: TOTPDevice, world: World, clock: None, steps: int, accepted: bool
) -> None:
    password_step(client, world)
    response = client.post("/login/verify/", {"code": code_for(device, NOW + 30 * steps)})
    assert response.status_code == (302 if accepted else 401)


def test_it_counts_wrong_codes_towards_the_lockout(
    client: Client, device: TOTPDevice, world: World, clock: None
) -> None:
    password_step(client, world)
    for guess in ("000000", "111111", "222222", "333333", "444444"):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        assert client.post("/login/verify/", {"code": guess}).status_code == 401
    response = client.post("/login/verify/", {"code": code_for(device, NOW)})
    assert response.status_code == 401
    assert b"locked" in response.content
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email=world.alice.email).count() == 5
    with tenant_guard_off():
        reasons = list(
            AuditEvent.objects.filter(action="login_failed").values_list("reason", flat=True)
        )
    assert sorted(reasons) == ["bad code"] * 5 + ["locked"]


def test_it_takes_a_recovery_code_once(client: Client, world: World) -> None:
    _, codes = enable_two_factor(world.alice)
    password_step(client, world)
    assert client.post("/login/verify/", {"code": codes[3].upper()}).status_code == 302
    assert client.session["otp_device_id"].startswith("core.recoverycodedevice/")
    other = Client()
    password_step(other, world)
    assert other.post("/login/verify/", {"code": codes[3]}).status_code == 401
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1


def test_it_stores_recovery_codes_hashed(world: World) -> None:
    _, codes = enable_two_factor(world.alice)
    assert len(codes) == len(set(codes)) == 10
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes)
    assert not stored & {c.replace("-", "") for c in codes}


def test_it_forgets_a_stale_password_step(client: Client, device: TOTPDevice, world: World) -> None:
    password_step(client, world)
    session = client.session
    session["pending_login"]["at"] = time.time() - 301
    session.save()
    response = client.post("/login/verify/", {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_it_needs_the_password_step_first(client: Client, device: TOTPDevice, world: World) -> None:
    response = client.post("/login/verify/", {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == "/login/"


def test_it_keeps_the_next_page(
    client: Client, device: TOTPDevice, world: World, clock: None
) -> None:
    client.post("/login/", {"email": world.alice.email, "password": PASSWORD, "next": "/roles/"})
    response = client.post("/login/verify/", {"code": code_for(device, NOW)})
    assert response["Location"] == "/roles/"


def test_it_logs_out_an_unverified_session_of_a_two_factor_user(
    client: Client, device: TOTPDevice, world: World
) -> None:
    """A session that skipped the code (forced in here) cannot reach guarded pages."""
    client.force_login(world.alice)
    session = client.session
    session["epoch"], session["started_at"] = world.alice.session_epoch, time.time()
    session.save()
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session

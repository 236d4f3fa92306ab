"""S5: brute force against one account, spoofed addresses and credential stuffing."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from pytest_django import Settings

from amity.core.models import AuditEvent, LoginFailure
from tests.conftest import PASSWORD, World, tenant_guard_off

WINDOW = timedelta(minutes=15, seconds=1)


def post(client: Client, email: str, password: str, **headers: str) -> int:
    return client.post(
        "/login/", {"email": email, "password": password}, headers=headers
    ).status_code


def age_failures(email: str) -> None:
    """Move the account's failures 15 minutes into the past (a clock the test controls)."""
    for failure in LoginFailure.objects.filter(email=email):
        LoginFailure.objects.filter(pk=failure.pk).update(at=failure.at - WINDOW)


def test_it_locks_after_five_failures_among_a_thousand(client: Client, world: World) -> None:
    codes = [post(client, world.alice.email, f"guess {i}") for i in range(1000)]
    assert set(codes) == {401}
    assert LoginFailure.objects.filter(email=world.alice.email).count() == 5
    with tenant_guard_off():
        audited = AuditEvent.objects.filter(action="login_failed", actor=world.alice)
        assert audited.count() == 1000
        assert audited.filter(reason="bad credentials").count() == 5
        assert audited.filter(reason="locked").count() == 995


def test_it_refuses_the_right_password_while_locked(client: Client, world: World) -> None:
    for i in range(5):
        post(client, world.bob.email, f"guess {i}")
    response = client.post("/login/", {"email": world.bob.email, "password": PASSWORD})
    assert response.status_code == 401
    assert b"reset your password" in response.content
    assert "_auth_user_id" not in client.session


def test_it_unlocks_after_fifteen_minutes(client: Client, world: World) -> None:
    for i in range(5):
        post(client, world.bob.email, f"guess {i}")
    for failure in LoginFailure.objects.filter(email=world.bob.email):
        LoginFailure.objects.filter(pk=failure.pk).update(at=failure.at - timedelta(minutes=14))
    assert post(client, world.bob.email, PASSWORD) == 401
    age_failures(world.bob.email)
    assert post(client, world.bob.email, PASSWORD) == 302


def test_it_keeps_the_lock_to_fifteen_minutes_under_attack(client: Client, world: World) -> None:
    """Refused attempts do not extend the lock: at most 20 guesses an hour are checked."""
    for i in range(5):
        post(client, world.bob.email, f"guess {i}")
    for i in range(20):
        post(client, world.bob.email, f"more {i}")
    assert LoginFailure.objects.filter(email=world.bob.email).count() == 5
    age_failures(world.bob.email)
    assert post(client, world.bob.email, PASSWORD) == 302


def test_it_ignores_spoofed_forwarded_for(client: Client, world: World) -> None:
    """Fifty X-Forwarded-For values gain no attempt and are not what the audit records."""
    codes = [
        post(client, world.carol.email, f"guess {i}", X_Forwarded_For=f"10.0.{i}.1")
        for i in range(50)
    ]
    assert codes == [401] * 50
    assert LoginFailure.objects.filter(email=world.carol.email).count() == 5
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"127.0.0.1"}
    assert post(client, world.carol.email, PASSWORD, X_Forwarded_For="10.9.9.9") == 401
    with tenant_guard_off():
        ips = set(AuditEvent.objects.filter(action="login_failed").values_list("ip", flat=True))
    assert ips == {"127.0.0.1"}


def test_it_locks_per_account_behind_a_trusted_proxy(
    client: Client, world: World, settings: Settings
) -> None:
    settings.AMITY_TRUSTED_PROXIES = 1
    for i in range(50):
        post(client, world.carol.email, f"guess {i}", X_Forwarded_For=f"10.0.{i}.1")
    assert LoginFailure.objects.filter(email=world.carol.email).count() == 5
    assert LoginFailure.objects.filter(ip="10.0.0.1").count() == 1


def test_it_throttles_stuffing_from_one_address(
    client: Client, world: World, settings: Settings
) -> None:
    """1,000 addresses x 1 password from one IP: only the first 50 are checked."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    codes = [post(client, f"user{i}@stuffing.test", "Summer2024!") for i in range(1000)]
    assert set(codes) == {401}
    assert LoginFailure.objects.filter(ip="127.0.0.1").count() == 50
    assert post(client, world.dave.email, PASSWORD) == 401
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert post(other, world.dave.email, PASSWORD) == 302
    with tenant_guard_off():
        assert AuditEvent.objects.filter(action="login_failed").count() == 1001

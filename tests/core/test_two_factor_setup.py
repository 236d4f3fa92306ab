"""Turning two-factor on and off, recovery codes, and workspaces that require it."""

from __future__ import annotations

import re

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains

from amity.core.models import AuditEvent, RecoveryCode, RecoveryCodeDevice, Workspace
from tests.conftest import PASSWORD, World, login, tenant_guard_off
from tests.core.twofactor import code_for, enable_two_factor


def test_it_shows_a_qr_code_without_inline_script(client: Client, world: World) -> None:
    login(client, world.bob)
    response = client.get("/account/2fa/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert "<script>" not in body and " style=" not in body
    device = TOTPDevice.objects.get(user=world.bob)
    assert device.confirmed is False
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', body)
    assert secret is not None
    assert client.get("/account/2fa/").content.decode().count(secret.group(1)) == 1
    assert TOTPDevice.objects.filter(user=world.bob).count() == 1


def test_it_turns_two_factor_on_with_a_code(client: Client, world: World) -> None:
    login(client, world.bob)
    other = Client()
    login(other, world.bob)
    client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=world.bob)
    response = client.post("/account/2fa/", {"code": code_for(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f-]{23})</code></li>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get("/members/").status_code == 403  # bob is no admin, but still logged in
    assert other.get("/account/").status_code == 302
    assert RecoveryCode.objects.filter(device__user=world.bob).count() == 10
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert event.changes == {"two_factor": [False, True]}


def test_it_refuses_a_wrong_code(client: Client, world: World) -> None:
    login(client, world.bob)
    client.get("/account/2fa/")
    response = client.post("/account/2fa/", {"code": "123456"})
    assert response.status_code == 400
    assert TOTPDevice.objects.get(user=world.bob).confirmed is False
    assert not RecoveryCodeDevice.objects.exists()


def test_it_turns_two_factor_off_with_the_password(client: Client, world: World) -> None:
    enable_two_factor(world.carol)
    client.post("/login/", {"email": world.carol.email, "password": PASSWORD})
    device = TOTPDevice.objects.get(user=world.carol)
    client.post("/login/verify/", {"code": code_for(device)})
    response = client.post("/account/2fa/disable/", {"disable-current_password": "wrong"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=world.carol).exists()
    response = client.post("/account/2fa/disable/", {"disable-current_password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.carol).exists()
    assert not RecoveryCodeDevice.objects.filter(user=world.carol).exists()


def test_it_replaces_recovery_codes(client: Client, world: World) -> None:
    _, old_codes = enable_two_factor(world.carol)
    client.post("/login/", {"email": world.carol.email, "password": PASSWORD})
    client.post("/login/verify/", {"code": old_codes[0]})
    response = client.post("/account/2fa/recovery-codes/", {"codes-current_password": PASSWORD})
    assert response.status_code == 200
    assertContains(response, "only time they are shown")
    new_codes = re.findall(r"<li><code>([0-9a-f-]{23})</code></li>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = Client()
    other.post("/login/", {"email": world.carol.email, "password": PASSWORD})
    assert other.post("/login/verify/", {"code": old_codes[1]}).status_code == 401
    assert other.post("/login/verify/", {"code": new_codes[1]}).status_code == 302


def test_it_needs_a_login(client: Client, db: None) -> None:
    assert client.get("/account/2fa/")["Location"] == "/login/?next=/account/2fa/"
    assert client.post("/account/2fa/disable/").status_code == 302


def test_it_sends_members_of_a_strict_workspace_to_the_setup(client: Client, world: World) -> None:
    Workspace.objects.filter(pk=world.acme.pk).update(require_2fa=True)
    login(client, world.dave)
    for url in ("/", "/account/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/account/2fa/"
    assert client.get("/account/2fa/").status_code == 200
    assert client.post("/logout/").status_code == 302


def test_it_lets_members_in_after_the_setup(client: Client, world: World) -> None:
    Workspace.objects.filter(pk=world.acme.pk).update(require_2fa=True)
    login(client, world.dave)
    client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=world.dave)
    client.post("/account/2fa/", {"code": code_for(device)})
    assert client.get("/account/").status_code == 200


def test_it_leaves_other_workspaces_alone(client: Client, world: World) -> None:
    Workspace.objects.filter(pk=world.globex.pk).update(require_2fa=True)
    login(client, world.dave)
    assert client.get("/account/").status_code == 200

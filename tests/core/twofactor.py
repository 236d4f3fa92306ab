"""Helpers for tests that need an authenticator app: a device, and the codes it would show."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from amity.core import services
from amity.core.models import User


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """Return the 6-digit code the app shows at time `at` (now by default)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def enable_two_factor(user: User) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor on for the user as the setup page does; return the device and codes."""
    device = services.pending_totp_device(user)
    codes = services.confirm_two_factor(user, device, code_for(device), workspace_id=None)
    assert codes is not None
    device.refresh_from_db()
    # The confirming code is spent; tests log in with the next step's code.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return device, codes

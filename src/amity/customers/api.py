"""JSON API for companies and people."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["customers"])

"""The JSON API at /api/v1/: one NinjaAPI with each domain app's router."""

from __future__ import annotations

from amity.core.api import build_api

api = build_api()

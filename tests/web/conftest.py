"""Browser fixtures for the shell's browser tests (shared with tests/browser)."""

from __future__ import annotations

from tests.browser.conftest import browser, page  # noqa: F401

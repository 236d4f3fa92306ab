"""HTML views of the core app: login, account, members, roles, workspace settings, audit log."""

from __future__ import annotations

from amity.core.views._common import start_session
from amity.core.views.auth import login_view, logout_view
from amity.core.views.workspace import switch_workspace

__all__ = ["login_view", "logout_view", "start_session", "switch_workspace"]

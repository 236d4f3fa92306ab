"""Functions other apps register to hear that a company or person was created or changed.

Called by the customers services after the write, inside its transaction; a hook that
wants to do work later enqueues a task with `transaction.on_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WriteHook = Callable[[Any], None]
_hooks: list[WriteHook] = []


def register(hook: WriteHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def after_write(obj: Any) -> None:
    for hook in _hooks:
        hook(obj)

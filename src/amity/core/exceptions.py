from __future__ import annotations

from typing import Any


class VersionConflict(Exception):
    """A write based on an old version of a record; carries the record as it is now."""

    def __init__(self, current: Any) -> None:
        super().__init__("The record was changed by someone else since you loaded it.")
        self.current = current

"""Keyset pagination: pages stay fast at any depth because they never use OFFSET."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Page[T: models.Model]:
    items: list[T]
    next_cursor: str | None
    prev_cursor: str | None
    total: int
    total_is_capped: bool

    @property
    def total_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.total_is_capped else f"{self.total:,}"


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list[str], model: type[models.Model]) -> list[Any] | None:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(raw, list) or len(raw) != len(fields):
        return None
    values = []
    for name, value in zip(fields, raw, strict=True):
        try:
            field = model._meta.get_field(name.lstrip("-"))
        except FieldDoesNotExist:
            # An annotation another app sorts by (a score): whole numbers only.
            if not isinstance(value, int) or isinstance(value, bool):
                return None
            values.append(value)
            continue
        try:
            values.append(field.to_python(value))  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - a forged cursor is just ignored
            return None
        # PostgreSQL refuses NUL in text parameters; a forged cursor must not be a 500.
        if value is None or (isinstance(value, str) and "\x00" in value):
            return None
    return values


def _after(fields: list[str], values: list[Any]) -> models.Q:
    """Return rows strictly after `values` in the ordering `fields` (a row-value comparison)."""
    q = models.Q()
    for i, name in enumerate(fields):
        column = name.lstrip("-")
        op = "lt" if name.startswith("-") else "gt"
        step = models.Q(**{f"{column}__{op}": values[i]})
        for prev, value in zip(fields[:i], values[:i], strict=True):
            step &= models.Q(**{prev.lstrip("-"): value})
        q |= step
    if len(fields) > 1:
        # Implied by the OR above, but PostgreSQL only turns this form into an index range:
        # without it a deep page scans every row before the cursor (docs/performance.md).
        first = fields[0]
        op = "lte" if first.startswith("-") else "gte"
        q = models.Q(**{f"{first.lstrip('-')}__{op}": values[0]}) & q
    return q


def _flip(fields: list[str]) -> list[str]:
    return [f[1:] if f.startswith("-") else f"-{f}" for f in fields]


def _key(obj: models.Model, fields: list[str]) -> list[Any]:
    return [getattr(obj, f.lstrip("-")) for f in fields]


def paginate[T: models.Model](
    qs: models.QuerySet[T],
    ordering: list[str],
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
) -> Page[T]:
    """Return one page of `qs` ordered by `ordering` (which must end with a unique field)."""
    model = qs.model
    # Counting ids only: the annotations other apps add to each row (a score) cost per
    # counted row, up to COUNT_CAP of them.
    total = qs.values("pk").order_by()[: COUNT_CAP + 1].count()
    cursor_values = _decode(before, ordering, model) if before else None
    if cursor_values is not None:
        rows = list(
            qs.filter(_after(_flip(ordering), cursor_values)).order_by(*_flip(ordering))[: size + 1]
        )
        has_more = len(rows) > size
        items = list(reversed(rows[:size]))
        prev_cursor = _encode(_key(items[0], ordering)) if has_more and items else None
        next_cursor = _encode(_key(items[-1], ordering)) if items else None
    else:
        cursor_values = _decode(after, ordering, model) if after else None
        page_qs = qs.order_by(*ordering)
        if cursor_values is not None:
            page_qs = page_qs.filter(_after(ordering, cursor_values))
        rows = list(page_qs[: size + 1])
        items = rows[:size]
        next_cursor = _encode(_key(items[-1], ordering)) if len(rows) > size else None
        prev_cursor = (
            _encode(_key(items[0], ordering)) if cursor_values is not None and items else None
        )
    return Page(
        items=items,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        total=min(total, COUNT_CAP),
        total_is_capped=total > COUNT_CAP,
    )

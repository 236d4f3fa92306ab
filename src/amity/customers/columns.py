"""The columns a people or companies list can show, and which ones a member chose.

Each list has a registry of columns; `?cols=email,phone` (or a saved view) picks
some, in order. The name column always comes first. Later modules and custom
fields add columns with `register(kind, Column(...))`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_COLUMNS = 12


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[[Any], Any]
    # How the cell shows its value: text, email, phone, link (value is (url, text)), date or ago.
    display: str = "text"
    # The list's sort key, when the column can sort it.
    sort: str = ""
    desc_first: bool = False
    default: bool = False
    nowrap: bool = False


_registry: dict[str, dict[str, Column]] = {"person": {}, "company": {}}


def register(kind: str, column: Column) -> None:
    """Offer `column` on the `kind` list ("person" or "company")."""
    _registry[kind][column.key] = column


def _all(kind: str, extra: Sequence[Column] = ()) -> dict[str, Column]:
    return {**_registry[kind], **{c.key: c for c in extra}}


def available(kind: str, extra: Sequence[Column] = ()) -> list[Column]:
    """Return the columns a list offers: the registered ones, then `extra` (custom fields)."""
    return list(_all(kind, extra).values())


def defaults(kind: str) -> list[str]:
    return [c.key for c in _registry[kind].values() if c.default]


def parse(kind: str, raw: str, extra: Sequence[Column] = ()) -> list[str]:
    """Return the known column keys in `raw` ("email,phone"), or the defaults when none."""
    known = _all(kind, extra)
    keys = [k for k in dict.fromkeys(raw.split(",")) if k in known]
    return keys[:MAX_COLUMNS] or defaults(kind)


def chosen(kind: str, keys: Sequence[str], extra: Sequence[Column] = ()) -> list[Column]:
    known = _all(kind, extra)
    return [known[k] for k in keys if k in known]


def rows(columns: Sequence[Column], items: Sequence[Any]) -> list[tuple[Any, list[Any]]]:
    """Return each record with its cells' values, in column order."""
    return [(obj, [(col, col.value(obj)) for col in columns]) for obj in items]


def _custom_value(field: Any) -> Callable[[Any], str]:
    from amity.customers import custom_fields

    def value(obj: Any) -> str:
        return custom_fields.display(field, (obj.custom or {}).get(field.key))

    return value


def custom(definitions: Sequence[Any]) -> list[Column]:
    """Return a column for each custom field, keyed `cf_<key>`; never a sensitive one."""
    return [
        Column(f"cf_{d.key}", d.label, _custom_value(d))
        for d in definitions
        if d.type != "sensitive"
    ]


def as_text(column: Column, value: Any) -> str:
    """Return a cell's value as a file shows it: a link's text, a date in ISO 8601."""
    if value is None or value == "":
        return ""
    if column.display == "link":
        return str(value[1])
    if column.display in ("date", "ago") and isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return str(value)


def _company_link(person: Any) -> tuple[str, str] | None:
    company = person.company
    if company is None or company.deleted_at is not None:
        return None
    return (company.get_absolute_url(), company.name)


def _owner(obj: Any) -> Any:
    return obj.owner


def _register_builtin() -> None:
    for kind in ("person", "company"):
        register(kind, Column("owner", _("Owner"), _owner, default=True))
        register(
            kind,
            Column(
                "created",
                _("Added"),
                lambda o: o.created_at,
                display="date",
                sort="created",
                desc_first=True,
                default=True,
                nowrap=True,
            ),
        )
        register(
            kind,
            Column("updated", _("Updated"), lambda o: o.updated_at, display="ago", default=True),
        )
        register(kind, Column("city", _("City"), lambda o: o.billing_city))
        register(kind, Column("country", _("Country"), lambda o: o.billing_country))
    person = [
        Column("company", _("Company"), _company_link, display="link", default=True),
        Column("email", _("Email"), lambda p: p.email, display="email", default=True),
        Column(
            "phone",
            _("Phone"),
            lambda p: p.phone or p.mobile,
            display="phone",
            default=True,
            nowrap=True,
        ),
        Column("title", _("Job title"), lambda p: p.title),
        Column("mobile", _("Mobile"), lambda p: p.mobile, display="phone", nowrap=True),
        Column("alt_email", _("Other email"), lambda p: p.alt_email, display="email"),
    ]
    company = [
        Column("domain", _("Domain"), lambda c: c.domain, default=True),
        Column("email", _("Email"), lambda c: c.email, display="email", default=True),
        Column("phone", _("Phone"), lambda c: c.phone, display="phone", default=True, nowrap=True),
        Column("industry", _("Industry"), lambda c: c.industry),
        Column("website", _("Website"), lambda c: c.website),
    ]
    order = ["company", "domain", "email", "phone", "owner", "created", "updated"]
    for kind, own in (("person", person), ("company", company)):
        for column in own:
            register(kind, column)
        # Defaults in the order the lists always had; the rest after them.
        cols = _registry[kind]
        _registry[kind] = dict(
            sorted(cols.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
        )


_register_builtin()

"""The columns a people or companies list can show, and which ones a member chose.

Each list has a registry of columns; `?cols=email,phone` (or a saved view) picks
some, in order. The name column always comes first. Later modules and custom
fields add columns with `register(kind, Column(...))`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from amity.core.links import url_for_any_pk
from amity.customers.display import phone_display

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
    # The model fields `value` reads, beyond those every row reads (ROW_FIELDS).
    reads: tuple[str, ...] = ()


_registry: dict[str, dict[str, Column]] = {"person": {}, "company": {}}

# What a row needs whatever its columns: the name cell, the sort keys, the owner and
# (for people) the company, which the list reads joined.
ROW_FIELDS = {
    "person": (
        *("id", "first_name", "last_name", "title", "created_at"),
        *("owner", "owner__full_name", "owner__email"),
        *("company", "company__name", "company__deleted_at"),
    ),
    "company": (
        "id",
        "name",
        "industry",
        "created_at",
        "owner",
        "owner__full_name",
        "owner__email",
    ),
}


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


@dataclass(frozen=True)
class ListRow:
    """A record's row on a list, ready to print: its link, checkbox label and cells."""

    obj: Any
    url: str
    select_label: SafeString
    cells: SafeString


def fields(kind: str, columns: Sequence[Column]) -> list[str]:
    """Return the model fields a list with `columns` reads: a row of people has 48."""
    return list(dict.fromkeys([*ROW_FIELDS[kind], *(f for col in columns for f in col.reads)]))


def rows(kind: str, columns: Sequence[Column], items: Sequence[Any]) -> list[ListRow]:
    """Prepare each record's row in Python.

    Printed by template tags, a list's fifty rows of cells took most of the page's
    time; here each column's label and each URL pattern are resolved once a page.
    """
    detail_url = url_for_any_pk(f"customers:{kind}_detail")
    # The msgid the template's blocktranslate used; its output was marked safe too.
    select_label = gettext("Select %(name)s")
    openers = [
        format_html('<td{} data-label="{}">', _NOWRAP if col.nowrap else "", str(col.label))
        for col in columns
    ]
    return [
        ListRow(
            obj=obj,
            url=detail_url(obj.pk),
            select_label=mark_safe(select_label % {"name": conditional_escape(str(obj))}),  # noqa: S308
            cells=mark_safe(  # noqa: S308 - every part is escaped by cell_html
                "".join(
                    f"{opener}{cell_html(col, col.value(obj))}</td>"
                    for col, opener in zip(columns, openers, strict=True)
                )
            ),
        )
        for obj in items
    ]


_NOWRAP = mark_safe(' class="nowrap"')
_EMPTY = mark_safe('<span class="muted">—</span>')


def _local(value: Any) -> Any:
    """Return an aware datetime in the current time zone, as templates show it."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def cell_html(column: Column, value: Any) -> SafeString:
    """Return a cell's content as HTML, shown the way its column's `display` says."""
    if value is None or value == "":
        return _EMPTY
    display = column.display
    if display == "email":
        return format_html('<a href="mailto:{}">{}</a>', value, value)
    if display == "phone":
        return conditional_escape(phone_display(value))
    if display == "link":
        return format_html('<a href="{}">{}</a>', value[0], value[1])
    if display in ("date", "ago") and isinstance(value, date):
        local = _local(value)
        if display == "date":
            shown = conditional_escape(formats.date_format(local, "SHORT_DATE_FORMAT"))
        else:
            # The msgid the template's blocktranslate used: the translation is trusted markup.
            ago = gettext("%(ago)s ago") % {"ago": conditional_escape(timesince(local))}
            shown = mark_safe(ago)  # noqa: S308
        return format_html('<time datetime="{}">{}</time>', local.isoformat(), shown)
    return conditional_escape(formats.localize(_local(value)))


def _custom_value(field: Any) -> Callable[[Any], str]:
    from amity.customers import custom_fields

    def value(obj: Any) -> str:
        return custom_fields.display(field, (obj.custom or {}).get(field.key))

    return value


def custom(definitions: Sequence[Any]) -> list[Column]:
    """Return a column for each custom field, keyed `cf_<key>`; never a sensitive one."""
    return [
        Column(f"cf_{d.key}", d.label, _custom_value(d), reads=("custom",))
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
            Column(
                "updated",
                _("Updated"),
                lambda o: o.updated_at,
                display="ago",
                default=True,
                reads=("updated_at",),
            ),
        )
        register(kind, Column("city", _("City"), lambda o: o.billing_city, reads=("billing_city",)))
        register(
            kind,
            Column(
                "country", _("Country"), lambda o: o.billing_country, reads=("billing_country",)
            ),
        )
    person = [
        Column("company", _("Company"), _company_link, display="link", default=True),
        Column(
            "email", _("Email"), lambda p: p.email, display="email", default=True, reads=("email",)
        ),
        Column(
            "phone",
            _("Phone"),
            lambda p: p.phone or p.mobile,
            display="phone",
            default=True,
            nowrap=True,
            reads=("phone", "mobile"),
        ),
        Column("title", _("Job title"), lambda p: p.title),
        Column(
            "mobile",
            _("Mobile"),
            lambda p: p.mobile,
            display="phone",
            nowrap=True,
            reads=("mobile",),
        ),
        Column(
            "alt_email",
            _("Other email"),
            lambda p: p.alt_email,
            display="email",
            reads=("alt_email",),
        ),
    ]
    company = [
        Column("domain", _("Domain"), lambda c: c.domain, default=True, reads=("domain",)),
        Column(
            "email", _("Email"), lambda c: c.email, display="email", default=True, reads=("email",)
        ),
        Column(
            "phone",
            _("Phone"),
            lambda c: c.phone,
            display="phone",
            default=True,
            nowrap=True,
            reads=("phone",),
        ),
        Column("industry", _("Industry"), lambda c: c.industry),
        Column("website", _("Website"), lambda c: c.website, reads=("website",)),
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

"""Read queries for companies and people, shared by the HTML views and the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from amity.core import access, audit
from amity.core.models import AuditEvent, Membership
from amity.core.paging import Page, paginate
from amity.customers import custom_fields
from amity.customers.models import (
    Company,
    CompanyTag,
    CustomerRecord,
    CustomField,
    Person,
    PersonTag,
    Stage,
)

PERSON_SORTS = {
    "name": ["last_name", "first_name", "id"],
    "-name": ["-last_name", "-first_name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
COMPANY_SORTS = {
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}


@dataclass(frozen=True)
class ListParams:
    q: str = ""
    owner: str = ""  # a user id, "me" or "none"
    company: int | None = None
    country: str = ""
    sort: str = "name"
    after: str | None = None
    before: str | None = None
    size: int = 50
    tag: str = ""
    stage: str = ""  # companies' lifecycle stage
    # Custom field filters as given: ("cf_<key>" | "cf_<key>_min" | "cf_<key>_max", value);
    # a multi-select's values are joined by SEP, with ("cf_<key>_mode", "all") for all-of.
    custom: tuple[tuple[str, str], ...] = ()
    # Several tags: records with any of them, or with all of them (tag_mode "all").
    tags: tuple[str, ...] = ()
    tag_mode: str = ""  # "all", or any of them

    def tag_names(self) -> list[str]:
        """Return every tag filtered on (`tag` and `tags`), without repeats."""
        names = [self.tag, *self.tags] if self.tag else list(self.tags)
        return list({n.lower(): n for n in names if n}.values())

    # Filters other apps registered (PersonListExtra.filter_key, value).
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PersonListExtra:
    """A value another app adds to each row of the people list, to show, sort and filter by.

    `annotation(member)` is a query expression (e.g. a subquery on the app's own table)
    added to the list query as `name`; `sorts` join PERSON_SORTS; `filter(value)`
    narrows the list when the query string has `filter_key`.
    """

    name: str
    annotation: Callable[[Membership], Any]
    sorts: Mapping[str, list[str]] = field(default_factory=dict)
    filter_key: str = ""
    filter: Callable[[str], Q] | None = None


_person_extras: dict[str, PersonListExtra] = {}


def register_person_extra(extra: PersonListExtra) -> None:
    """Offer another app's value on the people list (its column goes to columns.register)."""
    _person_extras[extra.name] = extra
    PERSON_SORTS.update(extra.sorts)


def _extra_filter_keys() -> list[str]:
    return [e.filter_key for e in _person_extras.values() if e.filter_key]


FILTER_KEYS = ("q", "owner", "company", "country", "tag", "tag_mode", "stage")
# Keys that may hold several values (repeated in a query string, joined by SEP when stored).
MULTI_KEYS = ("tag",)
SEP = "\n"  # never inside a tag (blanks are folded) nor, in practice, a select option
MAX_CUSTOM_FILTERS = 10
MAX_VALUES = 20


def _db_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def values_of(data: Mapping[str, Any], key: str) -> list[str]:
    """Return the values of `key`: repeated in a query string, a list, or joined by SEP."""
    raw = data.getlist(key) if hasattr(data, "getlist") else data.get(key)
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    values = [v.strip() for item in items if item for v in str(item).replace("\x00", "").split(SEP)]
    return [v[:100] for v in dict.fromkeys(v for v in values if v)][:MAX_VALUES]


def _joined(data: Mapping[str, Any], key: str) -> str:
    return SEP.join(values_of(data, key))


def filters_in(data: Mapping[str, Any]) -> dict[str, str]:
    """Return the list filters in `data` (a query string or a stored view), as strings.

    A filter with several values (tags, a multi-select) comes back joined by SEP.
    """
    found = {k: _joined(data, k) for k in FILTER_KEYS if data.get(k)}
    custom = sorted(k for k in data if k.startswith("cf_") and len(k) < 50 and data.get(k))
    found.update({k: _joined(data, k) for k in custom[:MAX_CUSTOM_FILTERS]})
    found.update({k: str(data[k])[:100] for k in _extra_filter_keys() if data.get(k)})
    return {k: v for k, v in found.items() if v}


def query_pairs(filters: Mapping[str, str]) -> list[tuple[str, str]]:
    """Return stored filters as query-string pairs, one pair per value of a multi-value one."""
    return [(k, v) for k, joined in filters.items() for v in joined.split(SEP) if v]


def params_from_query(
    data: Mapping[str, Any], sorts: Mapping[str, list[str]], *, paging: bool = True
) -> ListParams:
    """Return the list parameters in `data`, ignoring anything malformed."""
    owner = str(data.get("owner", ""))
    if owner not in ("me", "none") and _db_id(owner) is None:
        owner = ""
    country = str(data.get("country", "")).strip()
    sort = str(data.get("sort", "name"))
    stage = str(data.get("stage", ""))
    filters = filters_in(data)
    tags = [t[:50] for t in values_of(data, "tag")]
    mode = str(data.get("tag_mode", ""))
    return ListParams(
        tag=tags[0] if tags else "",
        tags=tuple(tags[1:]),
        tag_mode="all" if mode == "all" else "",
        stage=stage if stage in Stage.values else "",
        custom=tuple((k, v) for k, v in filters.items() if k.startswith("cf_")),
        extra=tuple((k, v) for k, v in filters.items() if k in _extra_filter_keys()),
        q=str(data.get("q", ""))[:100],
        owner=owner,
        company=_db_id(str(data.get("company", ""))),
        country=country if len(country) == 2 and country.isalpha() else "",
        sort=sort if sort in sorts else "name",
        after=(data.get("after") or None) if paging else None,
        before=(data.get("before") or None) if paging else None,
    )


def _tag_filter(member: Membership, model: type[Person] | type[Company], params: ListParams) -> Q:
    """Records with any of the tags, or with all of them; one subquery per tag."""
    names = params.tag_names()
    if not names:
        return Q()
    links: QuerySet[Any] = (
        PersonTag.objects.filter(person_id=OuterRef("pk"))
        if model is Person
        else CompanyTag.objects.filter(company_id=OuterRef("pk"))
    )
    links = links.filter(workspace_id=member.workspace_id)
    if params.tag_mode != "all":
        lowered = [n.lower() for n in names]
        return Q(Exists(links.annotate(lname=Lower("tag__name")).filter(lname__in=lowered)))
    query = Q()
    for name in names:
        query &= Q(Exists(links.filter(tag__name__iexact=name)))
    return query


def _json_list_has(path: str, value: str) -> Q:
    """Match records whose JSON list at `path` holds `value`.

    PostgreSQL tests containment (`@>`); SQLite, which lacks it, looks for the
    value's JSON text (quotes included, so "a" never matches "ab") in the list's.
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{path}__contains": [value]})
    return Q(**{f"{path}__icontains": json.dumps(value)})


def _multi_filter(field: CustomField, raw: str, mode: str) -> Q:
    values = [v for v in raw.split(SEP) if v in field.options]
    if not values:
        return Q()
    path = f"custom__{field.key}"
    query = Q()
    for value in values:
        one = _json_list_has(path, value)
        query = (query & one) if mode == "all" else (query | one)
    return query


def custom_filter(definitions: list[CustomField], pairs: tuple[tuple[str, str], ...]) -> Q:
    """Return the filter for custom field parameters; unknown or malformed ones are ignored.

    Select and checkbox match exactly, number and date by range (`_min`, `_max`),
    multi-select by any of the values given (all of them with `_mode` "all"),
    text, URL and email by substring. Sensitive values are never filterable.
    """
    Type = CustomField.Type
    by_key = {d.key: d for d in definitions if d.type != Type.SENSITIVE}
    given = dict(pairs)
    query = Q()
    for name, raw in pairs:
        value = raw.strip()[:2000]
        if not name.startswith("cf_") or not value:
            continue
        key, bound = name[3:], ""
        for suffix in ("_min", "_max", "_mode"):
            if key.endswith(suffix) and key[: -len(suffix)] in by_key:
                key, bound = key[: -len(suffix)], suffix
        field = by_key.get(key)
        if field is None:
            continue
        path = f"custom__{key}"
        if field.type in (Type.NUMBER, Type.DATE) and bound:
            typed: Any = value
            if field.type == Type.NUMBER:
                try:
                    typed = float(value)
                except ValueError:
                    continue
            elif not _is_date(value):
                continue
            query &= Q(**{f"{path}__{'gte' if bound == '_min' else 'lte'}": typed})
        elif field.type == Type.SELECT and not bound:
            query &= Q(**{path: value})
        elif field.type == Type.MULTI_SELECT and not bound:
            query &= _multi_filter(field, value, given.get(f"{name}_mode", "any"))
        elif field.type == Type.CHECKBOX and not bound:
            query &= Q(**{path: value in ("1", "true", "yes", "on")})
        elif field.type in (Type.TEXT, Type.LONG_TEXT, Type.URL, Type.EMAIL) and not bound:
            query &= Q(**{f"{path}__icontains": value})
    return query


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _owner_filter(member: Membership, owner: str) -> Q:
    if owner == "me":
        return Q(owner_id=member.user_id)
    if owner == "none":
        return Q(owner__isnull=True)
    if owner.isdigit():
        return Q(owner_id=int(owner))
    return Q()


def people(member: Membership, params: ListParams, fields: Sequence[str] = ()) -> Page[Person]:
    """Return a page of people; with `fields`, only those columns are read (see columns.fields)."""
    qs = people_query(member, params)
    if fields:
        qs = qs.only(*fields)
    ordering = PERSON_SORTS.get(params.sort, PERSON_SORTS["name"])
    return paginate(qs, ordering, after=params.after, before=params.before, size=params.size)


def people_query(member: Membership, params: ListParams, action: str = "view") -> QuerySet[Person]:
    """Return the filtered people within the member's scope for `action` (unordered)."""
    qs: QuerySet[Person] = access.visible(member, Person).select_related("company", "owner")
    if action != "view":
        qs = qs.filter(pk__in=access.visible(member, Person, action=action).values("pk"))
    q = params.q.strip()
    if q:
        first, _, rest = q.partition(" ")
        by_name = Q(last_name__istartswith=q) | Q(first_name__istartswith=q)
        if rest:
            by_name |= Q(first_name__istartswith=first, last_name__istartswith=rest)
        qs = qs.filter(by_name | Q(email__istartswith=q))
    qs = qs.filter(_owner_filter(member, params.owner))
    if params.company:
        qs = qs.filter(company_id=params.company)
    if params.country:
        qs = qs.filter(billing_country=params.country.upper())
    qs = qs.filter(_tag_filter(member, Person, params))
    if params.custom:
        qs = qs.filter(custom_filter(_definitions(member, "person"), params.custom))
    return _with_extras(member, qs, params)


def _with_extras(member: Membership, qs: QuerySet[Person], params: ListParams) -> QuerySet[Person]:
    values = dict(params.extra)
    for extra in _person_extras.values():
        qs = qs.annotate(**{extra.name: extra.annotation(member)})
        if extra.filter is not None and values.get(extra.filter_key):
            qs = qs.filter(extra.filter(values[extra.filter_key]))
    return qs


def _definitions(member: Membership, target: str) -> list[CustomField]:
    return custom_fields.definitions(member.workspace_id, target)


def companies(member: Membership, params: ListParams, fields: Sequence[str] = ()) -> Page[Company]:
    """Return a page of companies; with `fields`, only those columns are read."""
    qs = companies_query(member, params)
    if fields:
        qs = qs.only(*fields)
    ordering = COMPANY_SORTS.get(params.sort, COMPANY_SORTS["name"])
    return paginate(qs, ordering, after=params.after, before=params.before, size=params.size)


def companies_query(
    member: Membership, params: ListParams, action: str = "view"
) -> QuerySet[Company]:
    """Return the filtered companies within the member's scope for `action` (unordered)."""
    qs: QuerySet[Company] = access.visible(member, Company).select_related("owner")
    if action != "view":
        qs = qs.filter(pk__in=access.visible(member, Company, action=action).values("pk"))
    q = params.q.strip()
    if q:
        qs = qs.filter(Q(name__istartswith=q) | Q(domain__istartswith=q))
    qs = qs.filter(_owner_filter(member, params.owner))
    if params.country:
        qs = qs.filter(billing_country=params.country.upper())
    if params.stage:
        qs = qs.filter(lifecycle_stage=params.stage)
    qs = qs.filter(_tag_filter(member, Company, params))
    if params.custom:
        qs = qs.filter(custom_filter(_definitions(member, "company"), params.custom))
    return qs


@dataclass(frozen=True)
class FieldChange:
    at: datetime
    actor: str
    action: str
    field: str
    old: Any
    new: Any


def field_history(
    member: Membership, obj: CustomerRecord, field: str = "", limit: int = 200
) -> list[FieldChange]:
    """Return the record's field changes (old → new, who, when), newest first.

    Read from the audit events the services write on every create and update, so
    forms, the API, imports and merges all appear; sealed values arrive masked.
    """
    qs = AuditEvent.objects.filter(
        workspace_id=member.workspace_id,
        object_type=obj.ACCESS_TYPE,
        object_id=str(obj.pk),
        action__in=[audit.Action.CREATE, audit.Action.UPDATE],
    )
    if field:
        qs = qs.filter(changes__has_key=field)
    rows: list[FieldChange] = []
    for event in qs.select_related("actor").order_by("-at", "-seq")[:limit]:
        who = str(event.actor) if event.actor else event.actor_label
        for name, change in sorted(event.changes.items()):
            if field and name != field:
                continue
            if not isinstance(change, list) or len(change) != 2:
                continue
            if event.action == audit.Action.CREATE and change[1] in (None, "", [], {}, False):
                continue  # blank at creation: nothing to show
            rows.append(FieldChange(event.at, who, event.action, name, change[0], change[1]))
    return rows

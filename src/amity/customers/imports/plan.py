"""Deciding what each row of an import does.

Rows are cleaned cell by cell (bad rows become errors and are skipped), then
matched against existing records in chunks with one query per chunk (emails,
names) or one scan of the workspace's phone numbers, then sorted into
creates, updates, unchanged and skipped rows. The writer checks a chunk, then
writes it while the next is checked, all inside one transaction; a dry run
checks every chunk and writes nothing.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from amity.core import access, bulk, crypto
from amity.core.models import Membership
from amity.customers import fields
from amity.customers.imports import mapping
from amity.customers.imports.mapping import CellError
from amity.customers.models import (
    ADDRESS_KINDS,
    Company,
    CompanyTag,
    ImportJob,
    Person,
    PersonTag,
)

CHUNK = 2000
SENSITIVE = Person.SENSITIVE_FIELDS
PHONES = ("phone", "mobile")
CONSENTS = ("email_consent", "messaging_consent")
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # model attribute names (owner_id, company name under "company")
    sensitive: dict[str, str]
    match: dict[str, Any] | None = None  # the existing record's current values
    tags: list[str] | None = None  # tag names, when a tags column is mapped


@dataclass
class Update:
    pk: int
    uid: uuid.UUID
    company_id: int | None
    changes: dict[str, list[Any]]  # attname -> [old, new]
    sealed: dict[str, str]
    tags: list[str] | None = None  # the new tag names, when they change
    old_tags: list[str] = field(default_factory=list)


@dataclass
class Plan:
    kind: str
    creates: list[Row] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Companies a person import creates by name: casefolded name -> name as written.
    new_companies: dict[str, str] = field(default_factory=dict)
    companies: dict[str, int] = field(default_factory=dict)

    @property
    def failed_rows(self) -> int:
        return len({e.row for e in self.errors})

    def counts(self) -> dict[str, int]:
        return {
            "create": len(self.creates),
            "update": len(self.updates),
            "unchanged": self.unchanged,
            "skip": self.skipped,
            "error": self.failed_rows,
            "new_companies": len(self.new_companies),
        }


_NON_DIGIT = re.compile(r"\D")


def _digits(phone: str) -> str:
    digits = _NON_DIGIT.sub("", phone)
    return digits.lstrip("0")


class Context:
    """What every row is checked against, read once per import."""

    def __init__(self, member: Membership, job: ImportJob) -> None:
        self.member = member
        self.job = job
        self.model: type[Person] | type[Company] = Person if job.kind == "person" else Company
        self.may_reveal = access.can(member, "person", "reveal") and job.kind == "person"
        self.reveal_scope = access.scope_for(member, "person", "reveal")
        self.edit_scope = access.scope_for(member, job.kind, "edit")
        self.may_create_company = access.can(member, "company", "create")
        members = Membership.objects.filter(
            workspace_id=member.workspace_id, is_active=True
        ).values_list("user__email", "user_id", "team_id")
        self.owners = {email.casefold(): user_id for email, user_id, _ in members}
        self.team = {
            user_id
            for _, user_id, team_id in members
            if member.team_id is not None and team_id == member.team_id
        }
        self.mapping = {int(i): key for i, key in job.mapping.items() if key}
        self.header: list[str] = list(job.header)
        self._sealer: crypto.Sealer | None = None
        self.now = timezone.now()
        self.targets = {
            t.key: t for t in mapping.targets_for(job.kind, workspace_id=member.workspace_id)
        }
        self.columns = [
            (i, self.targets[key], self.header[i] if i < len(self.header) else str(i + 1))
            for i, key in sorted(self.mapping.items())
        ]
        self.phone_columns = [c for c in self.columns if c[1].key in PHONES]
        self.country_keys = [f"{kind}_country" for kind in ADDRESS_KINDS]
        self.name_keys = [k for k in ("first_name", "last_name") if k in self.mapping.values()]
        self.last_name_column = next(
            (c for _, t, c in self.columns if t.key in ("last_name", "full_name")), ""
        )

    @property
    def sealer(self) -> crypto.Sealer:
        if self._sealer is None:
            self._sealer = crypto.Sealer(self.member.workspace_id)
        return self._sealer

    def may_edit(self, owner_id: int | None) -> bool:
        if self.edit_scope == "all":
            return True
        if owner_id == self.member.user_id:
            return self.edit_scope is not None
        return self.edit_scope == "team" and owner_id in self.team

    def may_reveal_for(self, owner_id: int | None) -> bool:
        if self.reveal_scope == "all":
            return True
        if owner_id == self.member.user_id:
            return self.reveal_scope is not None
        return self.reveal_scope == "team" and owner_id in self.team


def _phones(ctx: Context, number: int, values: dict[str, Any], cells: list[str]) -> list[RowError]:
    """Store phones as the services do: E.164, local numbers read in the row's country."""
    region = next((str(values[k]) for k in ctx.country_keys if values.get(k)), None)
    errors = []
    for index, target, column in ctx.phone_columns:
        if values.get(target.key):
            try:
                values[target.key] = fields.e164(values[target.key], region, target.key)
            except ValidationError:
                raw = cells[index] if index < len(cells) else ""
                code = "phone_country" if region is None else "phone"
                errors.append(RowError(number, column, raw.strip()[:200], code))
    return errors


def clean_row(ctx: Context, number: int, cells: list[str]) -> Row | list[RowError]:
    """Return the row's cleaned values, or the errors of its bad cells."""
    values: dict[str, Any] = {}
    sensitive: dict[str, str] = {}
    errors: list[RowError] = []
    tags: list[str] | None = None
    for index, target, column in ctx.columns:
        key = target.key
        raw = cells[index] if index < len(cells) else ""
        try:
            value = mapping.clean_cell(target, raw)
        except CellError as exc:
            shown = mapping.MASKED if target.sensitive else raw.strip()[:200]
            errors.append(RowError(number, column, shown, exc.code, exc.params))
            continue
        if target.sensitive:
            if value:
                sensitive[key] = value
        elif key == "owner":
            if value:
                owner = ctx.owners.get(value.casefold())
                if owner is None:
                    errors.append(RowError(number, column, raw.strip()[:200], "owner"))
                    continue
                values["owner_id"] = owner
        elif key == "full_name":
            first, last = mapping.split_name(value)
            values.setdefault("first_name", first)
            values.setdefault("last_name", last)
        elif key == "company":
            values["company"] = value
        elif key.startswith("custom."):
            if value not in ("", None):  # a blank cell leaves the value as it is
                values.setdefault("custom", {})[key.removeprefix("custom.")] = value
        elif key == "tags":
            tags = value or None  # a blank cell leaves the tags as they are
        elif value == "" and key in CONSENTS:
            continue  # a blank cell leaves consent as it is
        else:
            values[target.model_field] = value
    if not errors and ctx.phone_columns:
        errors = _phones(ctx, number, values, cells)
    if errors:
        return errors
    if ctx.job.kind == "person":
        for key in ctx.name_keys:
            values.setdefault(key, "")
        if not values.get("last_name"):
            return [RowError(number, ctx.last_name_column, "", "required")]
    return Row(number, values, sensitive, tags=tags)


def _key(ctx: Context, row: Row) -> str | None:
    v = row.values
    rule = ctx.job.match_on
    if rule == ImportJob.Match.EMAIL:
        email = v.get("email", "")
        return email.casefold() or None
    if rule == ImportJob.Match.PHONE:
        digits = _digits(v.get("phone", "") or v.get("mobile", ""))
        return digits or None
    if ctx.job.kind == "company":
        return v.get("name", "").casefold() or None
    return "\x00".join(
        [
            v.get("first_name", "").casefold(),
            v.get("last_name", "").casefold(),
            str(v.get("company", "")).casefold(),
        ]
    )


def _fields(ctx: Context) -> list[str]:
    names = ["id", "uid", "owner_id", "version"]
    names += [
        ctx.targets[k].model_field if ctx.targets[k].model_field != "company" else "company_id"
        for k in ctx.mapping.values()
        if not ctx.targets[k].sensitive and k not in ("owner", "full_name", "tags")
    ]
    if "full_name" in ctx.mapping.values():
        names += ["first_name", "last_name"]
    if ctx.job.kind == "person":
        names += ["first_name", "last_name", "email", "phone", "mobile", "company_id"]
        names += [f"{s}_bidx" for s in SENSITIVE]
    else:
        names += ["name", "email", "phone"]
    return list(dict.fromkeys(names))


def _existing(
    ctx: Context, rows: list[Row], phones: dict[str, int] | None
) -> dict[str, dict[str, Any]]:
    """Return the existing records these rows match, by match key (one query)."""
    base: Any = ctx.model._default_manager.filter(
        workspace_id=ctx.member.workspace_id, deleted_at__isnull=True
    )
    rule = ctx.job.match_on
    if rule == ImportJob.Match.EMAIL:
        emails = {r.values["email"] for r in rows if r.values.get("email")}
        variants = emails | {e.lower() for e in emails}
        if not variants:
            return {}
        qs = base.filter(bulk.matching("email", variants))
    elif rule == ImportJob.Match.PHONE:
        assert phones is not None
        ids = {phones[k] for r in rows if (k := _key(ctx, r) or "") in phones}
        if not ids:
            return {}
        qs = base.filter(pk__in=ids)
    elif ctx.job.kind == "company":
        names = {r.values["name"] for r in rows}
        qs = base.filter(bulk.matching("name", names | {n.casefold() for n in names}))
    else:
        last = {r.values["last_name"] for r in rows}
        qs = base.filter(bulk.matching("last_name", last | {n.casefold() for n in last}))
    found: dict[str, dict[str, Any]] = {}
    records = list(qs.order_by("id").values(*_fields(ctx)))
    company_names: dict[int, str] = {}
    if ctx.job.kind == "person" and rule == ImportJob.Match.NAME:
        ids = {r["company_id"] for r in records if r["company_id"]}
        company_names = dict(
            Company.objects.filter(workspace_id=ctx.member.workspace_id, pk__in=ids).values_list(
                "pk", "name"
            )
        )
    for record in records:
        if rule == ImportJob.Match.EMAIL:
            keys = [str(record["email"]).casefold()]
        elif rule == ImportJob.Match.PHONE:
            keys = [
                _digits(str(record.get(n, "") or "")) for n in ("phone", "mobile") if record.get(n)
            ]
        elif ctx.job.kind == "company":
            keys = [str(record["name"]).casefold()]
        else:
            company = company_names.get(record["company_id"], "")
            keys = [
                "\x00".join(
                    [
                        record["first_name"].casefold(),
                        record["last_name"].casefold(),
                        company.casefold(),
                    ]
                )
            ]
        for key in keys:
            found.setdefault(key, record)  # the oldest record wins
    if "tags" in ctx.mapping.values() and records:
        link = PersonTag if ctx.job.kind == "person" else CompanyTag
        owner = f"{ctx.job.kind}_id"
        tag_names: dict[int, list[str]] = {}
        for pk, name in link.objects.filter(
            workspace_id=ctx.member.workspace_id, **{f"{owner}__in": [r["id"] for r in records]}
        ).values_list(owner, "tag__name"):
            tag_names.setdefault(pk, []).append(name)
        for record in records:
            record["_tags"] = sorted(tag_names.get(record["id"], []), key=str.lower)
    return found


def _phone_index(ctx: Context) -> dict[str, int]:
    """Return {phone digits: record id} for the workspace (one scan; phones are not indexed)."""
    index: dict[str, int] = {}
    qs = ctx.model._default_manager.filter(
        workspace_id=ctx.member.workspace_id, deleted_at__isnull=True
    )
    names = ["phone", "mobile"] if ctx.job.kind == "person" else ["phone"]
    cond = Q()
    for name in names:
        cond |= ~Q(**{name: ""})
    for pk, *numbers in qs.filter(cond).order_by("id").values_list("id", *names).iterator(5000):
        for number in numbers:
            if number:
                index.setdefault(_digits(number), pk)
    return index


def _resolve_companies(ctx: Context, plan: Plan, rows: list[Row]) -> list[RowError]:
    """Turn company names into ids; names not found become new companies (if allowed)."""
    wanted = {str(r.values["company"]) for r in rows if r.values.get("company")}
    missing = {
        n
        for n in wanted
        if n.casefold() not in plan.companies and n.casefold() not in plan.new_companies
    }
    if missing:
        qs = Company.objects.filter(
            workspace_id=ctx.member.workspace_id,
            deleted_at__isnull=True,
            name__in=missing | {n.casefold() for n in missing},
        ).order_by("id")
        for pk, found in qs.values_list("pk", "name"):
            plan.companies.setdefault(found.casefold(), pk)
    errors = []
    column = next((ctx.header[i] for i, k in ctx.mapping.items() if k == "company"), "")
    for row in rows:
        name = str(row.values.get("company") or "")
        if not name or name.casefold() in plan.companies:
            continue
        if ctx.may_create_company:
            plan.new_companies.setdefault(name.casefold(), name)
        else:
            errors.append(RowError(row.number, column, name[:200], "company"))
    return errors


def _decide(ctx: Context, plan: Plan, row: Row, seen: dict[str, int]) -> None:
    key = _key(ctx, row)
    action = ctx.job.on_match
    if key is not None and action != ImportJob.OnMatch.CREATE:
        if key in seen:
            plan.skipped += 1
            return
        seen[key] = row.number
    if row.match is None or action == ImportJob.OnMatch.CREATE:
        if row.sensitive and not ctx.may_reveal_for(row.values.get("owner_id", ctx.member.user_id)):
            column = next(ctx.header[i] for i, k in ctx.mapping.items() if ctx.targets[k].sensitive)
            plan.errors.append(RowError(row.number, column, mapping.MASKED, "not_yours"))
            return
        for flag in CONSENTS:
            # When consent was given, for proof (GDPR Art. 7(1)), as the services record it.
            if row.values.get(flag) is True:
                row.values[f"{flag}_at"] = ctx.now
        plan.creates.append(row)
        return
    if action == ImportJob.OnMatch.SKIP:
        plan.skipped += 1
        return
    current = row.match
    if not ctx.may_edit(current["owner_id"]) or (
        row.sensitive and not ctx.may_reveal_for(current["owner_id"])
    ):
        plan.errors.append(RowError(row.number, "", "", "not_yours"))
        return
    changes: dict[str, list[Any]] = {}
    for name, value in row.values.items():
        attname: str = name
        if name == "custom":
            value = {**(current.get("custom") or {}), **value}
        if name == "company":
            attname, value = "company_id", plan.companies.get(str(value).casefold())
            if value is None and row.values["company"]:
                value = ("new", str(row.values["company"]).casefold())
        if current.get(attname) != value:
            changes[attname] = [current.get(attname), value]
    for flag in CONSENTS:
        if flag in changes:
            changes[f"{flag}_at"] = [None, ctx.now]
    new_tags = None
    old_tags: list[str] = current.get("_tags", [])
    if row.tags is not None and [t.lower() for t in row.tags] != [t.lower() for t in old_tags]:
        new_tags = row.tags
    sealed: dict[str, str] = {}
    for name, value in row.sensitive.items():
        index = ctx.sealer.blind_index(name, value)
        if current.get(f"{name}_bidx") != index:
            sealed[name] = ctx.sealer.seal("person", name, str(current["uid"]), value)
            sealed[f"{name}_bidx"] = index
    if not changes and not sealed and new_tags is None:
        plan.unchanged += 1
        return
    plan.updates.append(
        Update(
            current["id"],
            current["uid"],
            current.get("company_id"),
            changes,
            sealed,
            new_tags,
            old_tags,
        )
    )


class Checker:
    """Checks an import's rows a chunk at a time into one plan.

    `check` returns the rows of a chunk that become new records, so the writer can
    write one chunk while the next is checked; `build` checks a whole file (the dry
    run). Either way each row is matched against the records as they stood before
    the import, and a row repeating an earlier row's match key is skipped.
    """

    def __init__(self, member: Membership, job: ImportJob) -> None:
        self.ctx = Context(member, job)
        self.plan = Plan(job.kind)
        self.phones = _phone_index(self.ctx) if job.match_on == ImportJob.Match.PHONE else None
        self.seen: dict[str, int] = {}
        self.checked = 0

    def check(self, rows: Iterable[list[str]]) -> list[Row]:
        """Check the file's next rows; return those to create (their companies are in
        `plan.new_companies` or `plan.companies`)."""
        return self.decide(self.match(self.clean(rows)))

    def clean(self, rows: Iterable[list[str]]) -> list[Row]:
        """Clean the file's next rows without reading the database; bad rows become
        the plan's errors. Pass the result to `match`, chunks in file order."""
        ctx, plan = self.ctx, self.plan
        chunk: list[Row] = []
        for cells in rows:
            self.checked += 1
            # Row 1 is the header.
            cleaned = clean_row(ctx, self.checked + 1, cells)
            if isinstance(cleaned, list):
                plan.errors.extend(cleaned)
            else:
                chunk.append(cleaned)
        return chunk

    def match(self, chunk: list[Row]) -> list[Row]:
        """Match cleaned rows against the records and their companies: all the reading
        of the database a chunk needs. Return the rows to pass to `decide`."""
        ctx, plan = self.ctx, self.plan
        if ctx.job.kind == "person":
            refused = _resolve_companies(ctx, plan, chunk)
            plan.errors.extend(refused)
            bad = {e.row for e in refused}
            good = [r for r in chunk if r.number not in bad]
        else:
            good = chunk
        existing: dict[str, dict[str, Any]] = {}
        if good and ctx.job.on_match != ImportJob.OnMatch.CREATE:
            existing = _existing(ctx, good, self.phones)
            if any(r.sensitive for r in good):
                ctx.sealer  # noqa: B018 - loads the keys now, not while another thread writes
        for row in good:
            key = _key(ctx, row)
            row.match = existing.get(key) if key is not None else None
        return good

    def decide(self, matched: list[Row]) -> list[Row]:
        """Decide matched rows (create, update, skip) without reading the database;
        return those to create, in order."""
        created = len(self.plan.creates)
        for row in matched:
            _decide(self.ctx, self.plan, row, self.seen)
        return self.plan.creates[created:]

    def finish(self) -> Plan:
        self.plan.errors.sort(key=lambda e: e.row)
        return self.plan


def build(
    member: Membership, job: ImportJob, rows: Iterable[list[str]], progress: Progress | None = None
) -> Plan:
    """Return what importing these rows would do (nothing is written)."""
    checker = Checker(member, job)
    for chunk in itertools.batched(rows, CHUNK):
        checker.check(chunk)
        if progress is not None:
            progress("checking", checker.checked)
    return checker.finish()


def new_uid() -> uuid.UUID:
    return uuid.uuid4()


def seal_row(sealer: crypto.Sealer, uid: uuid.UUID, sensitive: dict[str, str]) -> dict[str, str]:
    """Return the sealed columns of a new person's sensitive values."""
    out: dict[str, str] = {}
    for name, value in sensitive.items():
        out[name] = sealer.seal("person", name, str(uid), value)
        out[f"{name}_bidx"] = sealer.blind_index(name, value)
    return out

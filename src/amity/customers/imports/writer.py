"""Writing an import plan: raw multi-row SQL inside the caller's one transaction.

Rows go in chunks of multi-row inserts (DESIGN §10: the ORM's bulk_create is
several times slower at 100k rows), each chunk with its tag links and search
entries. New records carry the job (`import_job`), from which their timelines show
their creation; updated ones get a timeline entry each. While a second thread runs
one chunk's statements on the same connection (`bulk.Background`), this one
prepares the next, so the database's work and Python's overlap on two cores.
Nothing here commits: the job runner wraps the whole write and the job's `done`
status in one transaction.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection, models
from django.db.models.functions import Lower
from django.utils import timezone

from amity.core import audit, bulk, crypto, search
from amity.core.models import Membership
from amity.customers import duplicates, fields
from amity.customers.imports.plan import CHUNK, Checker, Plan, Row, Update, seal_row
from amity.customers.models import (
    Company,
    CompanyTag,
    ImportJob,
    ImportRowError,
    Person,
    PersonTag,
    Tag,
    TimelineEvent,
)

# Called after each written chunk with the number of rows written so far. Tests
# use it to fail (or slow) a write halfway; it is None in production.
after_chunk: Callable[[int], None] | None = None
CHANGED = "•••• (changed)"
SQLITE_CACHE_KB = 65536


class Cancelled(Exception):
    """The member cancelled the import; the transaction rolls back."""


class _Doc:
    """A record-like view of inserted values for the search document builders."""

    def __init__(self, pk: int, values: dict[str, Any], defaults: dict[str, Any]) -> None:
        # Plain attributes for the row's own values; __getattr__ answers the rest from
        # the values every row of the chunk shares.
        self.__dict__.update(values)
        self.pk = pk
        self._defaults = defaults
        # customers.search reads tag names; imported rows bring theirs along.
        self._tag_names: tuple[str, ...] = tuple(values.get("_tags", ()))

    def __getattr__(self, name: str) -> Any:
        return self._defaults.get(name, "")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def prep(model: type[Company] | type[Person], attname: str, value: Any) -> Any:
    """Return a value as the database takes it (datetimes; other values pass as they are)."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, datetime):
        field = model._meta.get_field(attname)
        assert isinstance(field, models.DateTimeField)
        return field.get_db_prep_value(value, connection)
    return value


def _insert(
    model: type[Company] | type[Person],
    member: Membership,
    job: ImportJob,
    rows: Sequence[dict[str, Any]],
    ids: Sequence[int],
    now: datetime,
) -> tuple[bulk.Insert, list[tuple[int, dict[str, Any]]], dict[str, Any]]:
    """Prepare the insert of new records with the given ids; return it, (id, the row's
    values) for each, in order, and the values they share (workspace, owner, defaults)."""
    fields = list(model._meta.concrete_fields)
    # Every column the import does not fill gets the model field's default (as
    # the benchmark loader does), so fields added later need no change here.
    defaults = dict(zip([f.attname for f in fields], bulk.field_defaults(fields), strict=True))
    prepped_now = model._meta.get_field("created_at").get_db_prep_value(now, connection)
    meta = {
        "workspace_id": member.workspace_id,
        "created_by_id": member.user_id,
        "owner_id": member.user_id,
        "import_job_id": job.pk,
        "version": 1,
        "created_at": prepped_now,
        "updated_at": prepped_now,
    }
    # SQLite keeps a UUID as 32 hex digits; PostgreSQL's driver takes the UUID itself.
    as_hex = not connection.features.has_native_uuid_field
    # Values as the database takes them: datetimes prepared, JSON serialised (the
    # defaults once, not once a row).
    converted = [
        f.attname for f in fields if isinstance(f, models.DateTimeField | models.JSONField)
    ]
    base = {**defaults, **meta}
    base_db = {**base, **{name: prep(model, name, base[name]) for name in converted}}
    # Columns no row of this chunk fills are written once for all of them.
    filled = {"id"}.union(*rows)
    varying = [f.attname for f in fields if f.attname in filled]
    constant = [f for f in fields if f.attname not in filled]
    varying_base = {name: base_db[name] for name in varying}
    row_of = operator.itemgetter(*varying)
    converted = [name for name in converted if name in filled]
    params = []
    out = []
    for pk, row in zip(ids, rows, strict=True):
        db = {**varying_base, **row, "id": pk}
        for name in converted:
            if name in row and row[name] is not None:
                db[name] = prep(model, name, row[name])
        if as_hex:
            db["uid"] = row["uid"].hex
        params.append(row_of(db))
        out.append((pk, {**row, "id": pk}))
    column = {f.attname: str(f.column) for f in fields}
    statement = bulk.insert(
        model._meta.db_table,
        [column[name] for name in varying],
        params,
        constants={column[f.attname]: base_db[f.attname] for f in constant},
    )
    return statement, out, base


def _create_companies(
    member: Membership, job: ImportJob, plan: Plan, now: datetime, entry_ids: Iterator[int]
) -> None:
    """Create the new companies the plan names and has not created yet (their search
    entries take their ids from `entry_ids`, reserved with the people's)."""
    names = [n for key, n in plan.new_companies.items() if key not in plan.companies]
    for start in range(0, len(names), CHUNK):
        chunk = names[start : start + CHUNK]
        uids = bulk.time_ordered_uids(len(chunk))
        rows = [{"uid": uid, "name": name} for uid, name in zip(uids, chunk, strict=True)]
        ids = bulk.reserve_ids(Company._meta.db_table, len(rows))
        statement, created, shared = _insert(Company, member, job, rows, ids, now)
        for pk, values in created:
            plan.companies[values["name"].casefold()] = pk
        docs = [_Doc(pk, v, shared) for pk, v in created]
        entries = list(itertools.islice(entry_ids, len(docs)))
        bulk.run([statement, *search.new_entries(member.workspace_id, "company", docs, entries)])
        duplicates.refresh_later(member.workspace_id, "company", [pk for pk, _ in created])


def _tag_ids(workspace_id: int, names: set[str]) -> dict[str, int]:
    """Return {lowercased name: tag id}, creating the tags the workspace lacks."""
    if not names:
        return {}
    lowered = {n.lower(): n for n in names}

    def known() -> dict[str, int]:
        return {
            str(name).lower(): pk
            for pk, name in Tag.objects.annotate(lname=Lower("name"))
            .filter(workspace_id=workspace_id, lname__in=list(lowered))
            .values_list("pk", "name")
        }

    ids = known()
    missing = [
        Tag(workspace_id=workspace_id, name=n) for low, n in lowered.items() if low not in ids
    ]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        ids = known()
    return ids


def _tag_links(
    member: Membership, kind: str, created: list[tuple[int, dict[str, Any]]], ids: dict[str, int]
) -> bulk.Insert | None:
    """Prepare the links of new records to their tags (`ids`: from `_tag_ids`)."""
    links = [
        (member.workspace_id, ids[n.lower()], pk)
        for pk, values in created
        for n in values.get("_tags", ())
    ]
    if not links:
        return None
    link = PersonTag if kind == "person" else CompanyTag
    return bulk.insert(link._meta.db_table, ["workspace_id", "tag_id", f"{kind}_id"], links)


def _new_values(sealer: crypto.Sealer, plan: Plan, row: Row, uid: UUID) -> dict[str, Any]:
    values = dict(row.values)
    if "company" in values:
        name = values.pop("company")
        values["company_id"] = plan.companies.get(name.casefold()) if name else None
    values["uid"] = uid
    values["_tags"] = row.tags or []
    if row.sensitive:
        values.update(seal_row(sealer, uid, row.sensitive))
    return values


def _apply_updates(
    member: Membership,
    job: ImportJob,
    plan: Plan,
    model: type[Company] | type[Person],
    now: datetime,
) -> None:
    table = _q(model._meta.db_table)
    updated_at = model._meta.get_field("updated_at").get_db_prep_value(now, connection)
    for update in plan.updates:
        for name, change in update.changes.items():
            if name == "company_id" and isinstance(change[1], tuple):
                change[1] = plan.companies.get(change[1][1])
    groups: dict[tuple[str, ...], list[Update]] = {}
    for update in plan.updates:
        columns = tuple(sorted([*update.changes, *update.sealed]))
        groups.setdefault(columns, []).append(update)
    with connection.cursor() as cursor:
        for columns, updates in groups.items():
            sets = "".join(f"{_q(c)} = %s, " for c in columns)
            sql = (
                f"UPDATE {table} SET {sets}{_q('version')} = {_q('version')} + 1, "  # noqa: S608
                f'{_q("updated_at")} = %s WHERE "workspace_id" = %s AND {_q("id")} = %s'
            )
            cursor.executemany(
                sql,
                [
                    (
                        *(
                            u.sealed[c] if c in u.sealed else prep(model, c, u.changes[c][1])
                            for c in columns
                        ),
                        updated_at,
                        member.workspace_id,
                        u.pk,
                    )
                    for u in updates
                ],
            )
    # Field history for each updated record: updates are the rare case, so one
    # audit event each (creates share the job's event).
    kind = job.kind
    entries = []
    for update in plan.updates:
        changes: dict[str, list[Any]] = {
            name: [old, new] for name, (old, new) in update.changes.items()
        }
        for name in update.sealed:
            if not name.endswith("_bidx"):
                changes[name] = [CHANGED, CHANGED]
        if update.tags is not None:
            changes["tags"] = [", ".join(update.old_tags), ", ".join(update.tags)]
        audit.record(
            audit.Action.UPDATE,
            workspace=member.workspace_id,
            actor=member.user,
            object_type=kind,
            object_id=update.pk,
            object_repr=f"{kind} #{update.pk}",
            changes={k: [_json(o), _json(n)] for k, (o, n) in changes.items()},
            reason=f"import #{job.pk}",
        )
        summary = "Changed " + ", ".join(n.removesuffix("_id") for n in changes)
        entries.append(
            TimelineEvent(
                workspace_id=member.workspace_id,
                person_id=update.pk if kind == "person" else None,
                company_id=(
                    update.changes.get("company_id", [None, update.company_id])[1]
                    if kind == "person"
                    else update.pk
                ),
                kind=TimelineEvent.Kind.CHANGE,
                occurred_at=now,
                actor_id=member.user_id,
                summary=summary[:300],
                data={"action": "update", "import": job.pk, "changes": sorted(changes)},
                source_app="customers",
                source_model="importjob",
                source_id=str(job.pk),
            )
        )
    TimelineEvent.objects.bulk_create(entries, batch_size=CHUNK)
    tagged = {u.pk: u.tags for u in plan.updates if u.tags is not None}
    ids = [u.pk for u in plan.updates]
    for start in range(0, len(ids), CHUNK):
        objs = list(
            model._default_manager.filter(
                workspace_id=member.workspace_id, pk__in=ids[start : start + CHUNK]
            ).prefetch_related("tag_links__tag")
        )
        for obj in objs:
            if obj.pk in tagged:
                # Updates are the rare case: link as the services do, one record at a time.
                fields.set_tags(obj, tagged[obj.pk])
        search.index_many(objs)
    duplicates.refresh_later(member.workspace_id, kind, ids)


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | bool) else str(value)


def write(
    member: Membership,
    job: ImportJob,
    rows: Sequence[list[str]],
    *,
    progress: Callable[[str, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Plan:
    """Check and write the file's rows inside the caller's transaction; return the plan.

    Chunks are checked and written in a pipeline (below); reads of the database
    (matches, companies, tags) wait until the writing thread is idle. Raise
    Cancelled to roll it all back.
    """
    now = timezone.now()
    model: type[Company] | type[Person] = Person if job.kind == "person" else Company
    if connection.vendor == "sqlite":
        # A larger page cache keeps the tables' index pages in memory while
        # 100k rows go in (the default is 2 MB); it stays with the connection.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
    checker = Checker(member, job)
    plan = checker.plan
    sealer = crypto.Sealer(member.workspace_id)
    # Ids for every row, drawn before the writing thread owns the connection: rows
    # that are not created leave gaps, as rolled-back inserts do.
    ids = iter(bulk.reserve_ids(model._meta.db_table, len(rows)))
    # A person import may also create a company a row.
    companies = job.kind == "person" and "company" in job.mapping.values()
    entry_ids = iter(bulk.reserve_ids("core_searchentry", len(rows) * (2 if companies else 1)))
    tag_ids: dict[str, int] = {}

    def written(count: int) -> None:
        if progress is not None:
            progress("writing", count)
        if after_chunk is not None:
            after_chunk(count)

    def prepare(creates: list[Row]) -> list[bulk.Insert]:
        """Return the statements that write a chunk's new records and their entries."""
        if not creates:
            return []
        uids = bulk.time_ordered_uids(len(creates))
        values = [_new_values(sealer, plan, r, u) for r, u in zip(creates, uids, strict=True)]
        taken = list(itertools.islice(ids, len(creates)))
        records, created, shared = _insert(model, member, job, values, taken, now)
        statements = [records]
        if (links := _tag_links(member, job.kind, created, tag_ids)) is not None:
            statements.append(links)
        docs = [_Doc(pk, v, shared) for pk, v in created]
        entries = list(itertools.islice(entry_ids, len(docs)))
        statements += search.new_entries(member.workspace_id, job.kind, docs, entries)
        duplicates.refresh_later(member.workspace_id, job.kind, [pk for pk, _ in created])
        return statements

    # A pipeline on two threads. While the writing thread writes chunk k, this one
    # prepares the statements of chunk k+1 (decided before) and cleans chunk k+2;
    # then, the connection idle, it matches chunk k+2 against the records (and creates
    # the companies it names), hands chunk k+1 over, and decides chunk k+2 while that
    # is written. The connection is idle only while the matching queries run (and
    # while new tags are created).
    with (
        bulk.references_checked_as_written(),
        search.bulk_writes(),
        bulk.Background(on_done=written) as background,
    ):
        waiting: list[Row] | None = None  # matched, not yet prepared
        for start in range(0, len(rows), CHUNK):
            if cancelled is not None and cancelled():
                raise Cancelled
            cleaned = checker.clean(rows[start : start + CHUNK])
            statements = prepare(waiting) if waiting is not None else None
            background.finish()
            matched = checker.match(cleaned)
            if any(key not in plan.companies for key in plan.new_companies):
                _create_companies(member, job, plan, now, entry_ids)
            if statements is not None:
                background.submit(statements, start)
            creates = checker.decide(matched)
            names = {n for r in creates for n in r.tags or () if n.lower() not in tag_ids}
            if names:  # new tag names: rare after a file's first rows
                background.finish()
                tag_ids.update(_tag_ids(member.workspace_id, names))
            waiting = creates
        if waiting is not None:
            background.submit(prepare(waiting), len(rows))
    plan = checker.finish()
    if cancelled is not None and cancelled():
        raise Cancelled
    _apply_updates(member, job, plan, model, now)
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                workspace_id=member.workspace_id,
                job_id=job.pk,
                row=e.row,
                column=e.column[:200],
                value=e.value[:200],
                code=e.code,
                params=e.params,
            )
            for e in plan.errors
        ],
        batch_size=CHUNK,
    )
    return plan


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)

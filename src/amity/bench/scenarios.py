"""The timed scenarios for what exists now: lists, deep pages, search, the 360 page, API, export.

Each scenario names the request a user makes and, beside it, the raw-SQL floor:
hand-written SQL that reads the same rows, timed the same way. The ratio of the
two is what Amity's own work costs (ORM, access checks, templates, audit).
Modules that have not landed hold a `pending` place; see registry.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from amity.bench import duplicates, generator, sales
from amity.bench.registry import Request, Scenario, register
from amity.core.models import Membership, SearchEntry, User, Workspace
from amity.core.paging import COUNT_CAP, _encode
from amity.customers import exports, selectors
from amity.customers.imports import jobs
from amity.customers.models import (
    ExportJob,
    ImportJob,
    Person,
    PersonTag,
    Tag,
    TimelineEvent,
)

PAGE = 50
EXPORT_ROWS = 100_000
COMMON_PREFIX = "han"  # Hansen, Hannah, Hans …: thousands of matches at any size
RARE_PREFIX = generator.RARE_NAME[:5].lower()


@dataclass
class Dataset:
    """What the scenarios need to know about the generated data."""

    workspace: Workspace
    contacts: int
    users: dict[str, User]
    members: dict[str, Membership]
    active_person: int
    deep_cursor: str
    deep_values: list[Any]
    export_country: str
    tokens: dict[str, str] = field(default_factory=dict)
    # Modules' own lookups (a pipeline id, a deal …), cached by their scenarios.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ws(self) -> int:
        return self.workspace.pk


def _sql(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def load_dataset(contacts: int) -> Dataset:
    """Describe the generated workspace (a few indexed queries, plus one deep OFFSET read)."""
    workspace = Workspace.objects.get(slug=generator.SLUG)
    members = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(workspace=workspace).select_related(
            "user", "role", "workspace"
        )
    }
    # The first sales person carries the heaviest owner weight.
    users = {
        "top": members["sales01"].user,
        "admin": members["admin"].user,
        "manager": members["manager1"].user,
        "support": members["support1"].user,
    }
    members = {key: members[m.email.split("@")[0]] for key, m in users.items()}
    first = _sql("SELECT MIN(id) FROM customers_person WHERE workspace_id = %s", [workspace.pk])[0][
        0
    ]
    depth = int(contacts * 0.9)
    row = _sql(
        "SELECT last_name, first_name, id FROM customers_person "
        "WHERE workspace_id = %s AND deleted_at IS NULL "
        "ORDER BY last_name, first_name, id LIMIT 1 OFFSET %s",
        [workspace.pk, depth],
    )[0]
    return Dataset(
        workspace=workspace,
        contacts=contacts,
        users=users,
        members=members,
        active_person=first + generator.ACTIVE_OFFSET,
        deep_cursor=_encode(list(row)),
        deep_values=list(row),
        export_country="GB" if contacts > EXPORT_ROWS else "",
    )


# The floors ------------------------------------------------------------------------

PERSON_ROW = (
    "SELECT p.id, p.uid, p.version, p.first_name, p.last_name, p.title, p.email, p.phone, "
    "p.mobile, p.billing_city, p.billing_country, p.created_at, p.updated_at, "
    "c.id, c.name, u.id, u.full_name, u.email "
    "FROM customers_person p LEFT JOIN customers_company c ON c.id = p.company_id "
    "LEFT JOIN core_user u ON u.id = p.owner_id "
)


def _count(where: str, params: list[Any]) -> None:
    _sql(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM customers_person p WHERE {where} "  # noqa: S608
        f"LIMIT {COUNT_CAP + 1}) t",
        params,
    )


def list_floor(ds: Dataset) -> None:
    where = "p.workspace_id = %s AND p.deleted_at IS NULL AND p.owner_id = %s"
    params = [ds.ws, ds.users["top"].pk]
    _sql(f"{PERSON_ROW} WHERE {where} ORDER BY p.last_name, p.first_name, p.id LIMIT 51", params)
    _count(where, params)


def deep_floor(ds: Dataset) -> None:
    where = "p.workspace_id = %s AND p.deleted_at IS NULL"
    _sql(
        f"{PERSON_ROW} WHERE {where} AND (p.last_name, p.first_name, p.id) > (%s, %s, %s) "
        "ORDER BY p.last_name, p.first_name, p.id LIMIT 51",
        [ds.ws, *ds.deep_values],
    )
    _count(where, [ds.ws])


def _search_floor(ds: Dataset, prefix: str) -> None:
    limit = 60
    if connection.vendor == "sqlite":
        # Like core.search: a window of whole-word matches, then of prefix matches, unranked.
        window = (
            "SELECT * FROM (SELECT e.object_type, e.object_id FROM core_search_fts f "
            "JOIN core_searchentry e ON e.id = f.rowid "
            "WHERE core_search_fts MATCH %s AND e.workspace_id = %s ORDER BY f.rowid LIMIT %s)"
        )
        ids = _sql(
            f"{window} UNION ALL {window}",
            [
                f'doc : "w{ds.ws}_{prefix}"',
                ds.ws,
                limit,
                f'doc : "w{ds.ws}_{prefix}" *',
                ds.ws,
                limit,
            ],
        )
    else:
        ids = _sql(
            "SELECT e.object_type, e.object_id FROM core_searchentry e "
            "WHERE e.workspace_id = %s AND to_tsvector('simple'::regconfig, e.document) "
            "@@ to_tsquery('simple', %s) LIMIT %s",
            [ds.ws, f"{prefix}:*", limit],
        )
    people = [pk for kind, pk in ids if kind == "person"][:20] or [0]
    marks = ", ".join(["%s"] * len(people))
    _sql(f"{PERSON_ROW} WHERE p.workspace_id = %s AND p.id IN ({marks})", [ds.ws, *people])


def person_floor(ds: Dataset) -> None:
    _sql(f"{PERSON_ROW} WHERE p.workspace_id = %s AND p.id = %s", [ds.ws, ds.active_person])


def person_360_floor(ds: Dataset) -> None:
    person_floor(ds)
    _sql(
        "SELECT t.id, t.kind, t.occurred_at, t.summary, t.data, u.id, u.full_name "
        "FROM customers_timelineevent t LEFT JOIN core_user u ON u.id = t.actor_id "
        "WHERE t.workspace_id = %s AND t.person_id = %s "
        "ORDER BY t.occurred_at DESC, t.id DESC LIMIT 21",
        [ds.ws, ds.active_person],
    )


def export_floor(ds: Dataset) -> None:
    where = "p.workspace_id = %s AND p.deleted_at IS NULL"
    params: list[Any] = [ds.ws]
    if ds.export_country:
        where += " AND p.billing_country = %s"
        params.append(ds.export_country)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{PERSON_ROW} WHERE {where} ORDER BY p.last_name, p.first_name, p.id", params
        )
        while cursor.fetchmany(2000):
            pass


def export_rows(ds: Dataset) -> int:
    """Build a list export the way the worker does; return its rows."""
    member = ds.members["manager"]
    params = selectors.ListParams(country=ds.export_country)
    job = ExportJob.objects.create(
        workspace_id=ds.ws,
        user_id=member.user_id,
        kind="person",
        format="csv",
        params=exports.filters_of(params),
    )
    exports.run_job(job.pk, ds.ws)
    job.refresh_from_db()
    if path := exports.job_path(job):
        path.unlink(missing_ok=True)
    return job.done


IMPORT_ROWS = 100_000
IMPORT_BUDGET_ROWS_PER_S = 10_000  # DESIGN §10


def import_csv(rows: int) -> bytes:
    """Return a people CSV as CRM exports look (names, email, phones, country, national ID)."""
    lines = ["First Name,Last Name,Email,Phone,Mobile,Job Title,City,Country,Tags,National ID"]
    lines += [
        f"Given{n},Family{n % 5000},bench-import{n}@example.test,+47 {20000000 + n},"
        f"22 {n % 100:02d} {n % 97:02d} 00,Engineer,Oslo,NO,{'vip' if n % 10 == 0 else ''},"
        f"{10000000000 + n}"
        for n in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


# What a rolled-back import leaves behind on PostgreSQL: dead rows and their index entries.
IMPORT_MODELS = (Person, PersonTag, Tag, SearchEntry, TimelineEvent, ImportJob)


def vacuum_after_import(ds: Dataset) -> None:
    """Clear the rolled-back rounds' dead rows, which would slow every later scenario and run.

    SQLite's rollback leaves nothing behind. PostgreSQL keeps 100k dead rows per round in
    the tables and their indexes (2.5 million in people after five runs, which doubled the
    contact list's raw-SQL floor) until autovacuum comes round to them.
    """
    # VACUUM cannot run inside a transaction (a test's); nothing there outlives it anyway.
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in IMPORT_MODELS)
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


def import_rows(ds: Dataset) -> int:
    """Import min(data set size, 100k) new people through the import job; roll it back.

    The job runs as the worker runs it (parse, check, fast-path write with search and
    timeline entries, and on PostgreSQL the foreign-key checks of the commit); rolling
    back keeps the data set as generated. Duplicate checks included (DESIGN §7): the
    rule matches each row by email against the records and updates a match; the
    rows are new, so every one is checked and created.
    """
    rows = min(ds.contacts, IMPORT_ROWS)
    data = ds.extra.get("import_csv")
    if data is None:
        data = ds.extra["import_csv"] = import_csv(rows)
    member = ds.members["admin"]
    with transaction.atomic():
        job = jobs.upload(member, "person", "bench-import.csv", data)
        try:
            guessed = {int(i): key for i, key in job.mapping.items()}
            jobs.configure(member, job, guessed, "email", "update")
            jobs.start(member, job)
            jobs.run(job.pk, job.workspace_id)
            job = jobs.reload(job)
        finally:
            # The rollback skips the job's on-commit clean-up of its upload.
            for path in jobs.import_dir().glob(f"{Path(job.file_name).name}*"):
                path.unlink(missing_ok=True)
        if job.status != "done" or job.failed:
            raise RuntimeError(f"bench import ended {job.status} with {job.failed} bad rows")
        if connection.vendor == "postgresql":
            # What the commit would do: Django's foreign keys are deferred, so PostgreSQL
            # checks every new row's references then (about 3 s for 100k rows).
            # SQLite looks its references up as each row goes in.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)
    return int(job.created)


def _list_path(ds: Dataset) -> str:
    return "/people/?owner=me&sort=name"


def builtin() -> None:
    """Register the scenarios of the modules on main, and placeholders for the rest."""
    register(
        Scenario(
            "contact list",
            request=lambda ds: Request(_list_path(ds)),
            floor=list_floor,
            budget_ms=50,
            description="people page 1, owner = me (the busiest owner), sorted by name, with count",
        )
    )
    register(
        Scenario(
            "deep page",
            request=lambda ds: Request(f"/people/?sort=name&after={ds.deep_cursor}", "admin"),
            floor=deep_floor,
            budget_ms=50,
            description="all people sorted by name, keyset cursor 90 % into the list",
        )
    )
    register(
        Scenario(
            "search common prefix",
            request=lambda ds: Request(f"/search/?q={COMMON_PREFIX}", "support"),
            floor=lambda ds: _search_floor(ds, COMMON_PREFIX),
            budget_ms=100,
            description=f'global search "{COMMON_PREFIX}" (thousands of matches)',
        )
    )
    register(
        Scenario(
            "search rare prefix",
            request=lambda ds: Request(f"/search/?q={RARE_PREFIX}", "support"),
            floor=lambda ds: _search_floor(ds, RARE_PREFIX),
            budget_ms=100,
            description=f'global search "{RARE_PREFIX}" (a handful of matches, typo pass too)',
        )
    )
    register(
        Scenario(
            "customer 360",
            request=lambda ds: Request(f"/people/{ds.active_person}/", "manager"),
            floor=person_360_floor,
            budget_ms=80,
            description="person page of a very active customer with its timeline",
        )
    )
    register(
        Scenario(
            "api list",
            request=lambda ds: Request("/api/v1/people?owner=me&sort=name", api=True),
            floor=list_floor,
            budget_ms=50,
            description="GET /api/v1/people, owner = me, sorted by name, 50 rows",
        )
    )
    register(
        Scenario(
            "api detail",
            request=lambda ds: Request(f"/api/v1/people/{ds.active_person}", "manager", api=True),
            floor=person_floor,
            budget_ms=50,
            description="GET /api/v1/people/{id}",
        )
    )
    register(
        Scenario(
            "export 100k",
            call=export_rows,
            floor=export_floor,
            rounds=3,
            description="CSV export job of 100,000 people (all when fewer), as the worker runs it",
        )
    )
    sales.register_scenarios()
    duplicates.register_scenarios()
    register(
        Scenario(
            "import 100k",
            call=import_rows,
            rounds=3,
            min_rows_per_s=IMPORT_BUDGET_ROWS_PER_S,
            after=vacuum_after_import,
            description="CSV import job of 100,000 new people (data set size when fewer), "
            "each matched by email against the records (update rule), all or nothing, "
            "with the commit's checks, rolled back after each round",
        )
    )

"""The benchmark data set: a seeded workspace of any size, written with the fast path.

Interface: `ensure(contacts, seed, force=False) -> Summary` builds the data set
unless the database already holds a complete one of that size and seed, and
`Loader.insert(model, columns, rows)` writes rows with `executemany` on SQLite and
`COPY` on PostgreSQL (DESIGN §10). The rows are the ones the services write for
the same records: sealed sensitive values and blind indexes (core.crypto), search
entries (core.search, plus the FTS5 rows on SQLite), "Created" timeline entries,
notes with their timeline entries, and hash-chained audit events.

Users, roles and workspaces are few and go through the services. The data is
skewed like a real CRM: a few sales people own most records, some companies are
large, and a few customers are very active (hundreds of notes).
"""

from __future__ import annotations

import functools
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, ClassVar, cast

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, models, transaction
from django.urls import reverse

from amity.bench import registry
from amity.core import audit, bulk, crypto, search, services, tasks
from amity.core.models import AuditChainHead, AuditEvent, Membership, Team, User, Workspace
from amity.customers.models import Company, Person, TimelineEvent
from amity.web import demo

SLUG = "bench"
DOMAIN = "bench.amity.test"
PASSWORD = "amity-bench-2026"  # noqa: S105 - benchmark data only
CHUNK = 5000
# Countries with their share of records; GB (10 %) is the export filter at a million.
COUNTRIES = [("GB", 10), ("NO", 25), ("DE", 30), ("NL", 20), ("ES", 15)]
# The users of the main workspace: (local part, role, team, owner weight).
# Owner weights follow a Zipf curve over the sales people: the first few own most.
USERS: list[tuple[str, str, str | None]] = [
    ("admin", "admin", None),
    ("manager1", "manager", None),
    ("manager2", "manager", None),
    *[(f"sales{n:02d}", "sales", "East" if n % 2 else "West") for n in range(1, 13)],
    ("marketing1", "marketing", None),
    ("marketing2", "marketing", None),
    ("support1", "support", None),
    ("support2", "support", None),
    ("support3", "support", None),
    ("billing1", "billing", None),
    ("shipping1", "shipping", "West"),
    ("readonly1", "readonly", None),
]
# People with hundreds of notes: one in ACTIVE_EVERY, each with ACTIVE_NOTES notes.
ACTIVE_EVERY = 5000
ACTIVE_NOTES = 300
ACTIVE_OFFSET = 17
# A surname only RARE_COUNT people have, for the "rare prefix" search.
RARE_NAME = "Zyqwolski"
RARE_COUNT = 7
NOTE_COUNTS = [0, 1, 2, 3, 4, 6]
NOTE_WEIGHTS = [22, 25, 22, 15, 10, 6]  # about 1.9 notes per person
SYLLABLES = ["ka", "lin", "ber", "sen", "mo", "ra", "vik", "dal", "ton", "hei", "stra", "nu"]
NOTE_TEXTS = [
    "Called about the renewal; they want a quote by Friday.",
    "Sent the **price list** and the delivery terms.",
    "Met at the trade fair. Interested in the *premium* plan.",
    "Asked for a callback next week about invoice 2024-117.",
    "Complaint about a late shipment, resolved with a discount.",
    "New contact after the merger; introduce to the account manager.",
    "Prefers email. Do not call before 10:00.",
    "Signed the framework agreement for three years.",
    "Wants a demo for the finance team.\n\n- budget approved\n- decision in Q3",
    "Changed supplier last year; follow up in six months.",
]


@dataclass
class Summary:
    contacts: int
    seed: int
    reused: bool
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


# Raised when the data set gains rows, so an older data set of the same size is rebuilt.
DATA_VERSION = 2  # 2: deals


def workspace_name(contacts: int, seed: int) -> str:
    return f"Bench {contacts} #{seed} v{DATA_VERSION}"


# The fast path ------------------------------------------------------------------


class Loader:
    """Write many rows of one model fast: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.written: dict[str, int] = {}
        self._next: dict[str, int] = {}
        # A data set is regenerated rather than recovered, so the load may skip waiting
        # for the disk at each commit; a large page cache keeps index inserts in memory.
        with connection.cursor() as cursor:
            if self.vendor == "sqlite" and not connection.in_atomic_block:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -262144")
            elif self.vendor == "postgresql":
                cursor.execute("SET synchronous_commit TO off")

    def next_ids(self, model: type[models.Model], count: int) -> range:
        """Reserve `count` primary keys (the loader assigns ids so rows can refer to each other)."""
        table = model._meta.db_table
        if table not in self._next:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
                self._next[table] = int(cursor.fetchone()[0]) + 1
        start = self._next[table]
        self._next[table] = start + count
        return range(start, start + count)

    def _converters(
        self, model: type[models.Model], columns: Sequence[str]
    ) -> list[Callable[[Any], Any] | None]:
        by_column = {f.column: f for f in model._meta.concrete_fields}
        result: list[Callable[[Any], Any] | None] = []
        for column in columns:
            kind = by_column[column].get_internal_type()
            if kind == "JSONField":
                result.append(lambda v: json.dumps(v, ensure_ascii=False))
            elif kind == "DateTimeField" and self.vendor == "sqlite":
                result.append(
                    lambda v: None if v is None else v.astimezone(UTC).isoformat(" ")[:26]
                )
            elif kind == "UUIDField" and self.vendor == "sqlite":
                result.append(lambda v: v.hex)
            else:
                result.append(None)
        return result

    def insert(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """Insert rows (values in `columns` order, Python types) and return how many.

        Columns not given get their field's default, so a field another module adds
        later needs no change here.
        """
        table = model._meta.db_table
        given = set(columns)
        missing = [
            f
            for f in model._meta.concrete_fields
            if f.column not in given and not (f.primary_key and "id" not in given)
        ]
        if missing:
            defaults = bulk.field_defaults(missing)
            columns = [*columns, *(str(f.column) for f in missing)]
            rows = ([*row, *defaults] for row in rows)
        converters = self._converters(model, columns)
        if any(converters):
            rows = (
                [v if c is None else c(v) for v, c in zip(row, converters, strict=True)]
                for row in rows
            )
        count = self.raw_insert(table, columns, rows)
        return count

    def raw_insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert database-ready values into a table (also tables without a model)."""
        names = ", ".join(columns)
        count = 0
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                marks = ", ".join(["?"] * len(columns))
                batch = list(rows)
                raw = cursor.cursor
                raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)  # noqa: S608
                count = len(batch)
        self.written[table] = self.written.get(table, 0) + count
        return count

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the assigned ids, refresh planner statistics
        and the visibility map (VACUUM: without it, index-only scans over freshly copied
        rows still visit every heap page, as no long-running database would)."""
        if self.vendor != "postgresql":
            tasks.refresh_statistics()  # what the worker's maintenance keeps on SQLite
            return
        with connection.cursor() as cursor:
            for table in self._next:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            for table in {*self._next, *self.written}:
                # VACUUM cannot run in a transaction (the tests wrap the generator in one).
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
                cursor.execute(f"{verb} {table}")


# What search indexes: light stand-ins so a million records need no model instances.


class _PersonDoc:
    ACCESS_TYPE: ClassVar[str] = "person"
    __slots__ = (
        "_tag_names",
        "alt_email",
        "email",
        "first_name",
        "last_name",
        "mobile",
        "more_emails",
        "more_phones",
        "phone",
    )

    def __init__(self, first: str, last: str, email: str, phone: str, mobile: str) -> None:
        self.first_name, self.last_name, self.email = first, last, email
        self.alt_email, self.phone, self.mobile = "", phone, mobile
        # What customers.search reads besides the columns: no extra contacts, no tags.
        self.more_emails: list[dict[str, str]] = []
        self.more_phones: list[dict[str, str]] = []
        self._tag_names: tuple[str, ...] = ()


class _CompanyDoc:
    ACCESS_TYPE: ClassVar[str] = "company"
    __slots__ = ("_tag_names", "domain", "email", "name", "phone", "website")

    def __init__(self, name: str, domain: str, email: str, phone: str, website: str) -> None:
        self.name, self.domain, self.email, self.phone, self.website = (
            name,
            domain,
            email,
            phone,
            website,
        )
        self._tag_names: tuple[str, ...] = ()


@dataclass
class GenContext:
    """What a data step gets: the loader, the seeded random and the generated ids."""

    loader: Loader
    rng: random.Random
    workspace: Workspace
    contacts: int
    members: dict[str, Membership]
    owner_ids: list[int]
    owner_weights: list[float]
    person_ids: range = range(0)
    company_ids: range = range(0)
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 1, tzinfo=UTC))
    _audit_seq: int = 0
    _audit_hash: str = audit.GENESIS
    _audit_rows: list[tuple[Any, ...]] = field(default_factory=list)

    def pick_owner(self) -> int | None:
        if self.rng.random() < 0.05:
            return None
        return self.rng.choices(self.owner_ids, self.owner_weights)[0]

    def audit_event(
        self,
        actor: User,
        obj_type: str,
        obj_id: int | str,
        obj_repr: str,
        at: datetime,
        changes: dict[str, Any] | None = None,
        action: audit.Action = audit.Action.CREATE,
    ) -> None:
        """Queue one audit event ("create" unless told), chained as audit.record would."""
        # audit._digest reads only attributes: a light stand-in spares a model instance per row.
        event = cast(
            AuditEvent,
            SimpleNamespace(
                chain=audit.chain_name(self.workspace.pk),
                seq=self._audit_seq + 1,
                workspace_id=self.workspace.pk,
                at=at,
                actor_id=actor.pk,
                actor_label=actor.email,
                action=action.value,
                object_type=obj_type,
                object_id=str(obj_id),
                object_repr=obj_repr[:200],
                changes=changes or {},
                reason="",
                ip=None,
                user_agent="",
                request_id="",
                prev_hash=self._audit_hash,
            ),
        )
        event.hash = audit._digest(event)
        self._audit_seq, self._audit_hash = event.seq, event.hash
        self._audit_rows.append(
            (
                event.chain,
                event.seq,
                event.workspace_id,
                event.at,
                event.actor_id,
                event.actor_label,
                event.action,
                event.object_type,
                event.object_id,
                event.object_repr,
                event.changes,
                "",
                None,
                "",
                "",
                event.prev_hash,
                event.hash,
            )
        )

    def flush_audit(self) -> None:
        columns = [str(f.column) for f in AuditEvent._meta.concrete_fields if f.column != "id"]
        self.loader.insert(AuditEvent, columns, self._audit_rows)
        self._audit_rows = []
        AuditChainHead.objects.filter(chain=audit.chain_name(self.workspace.pk)).update(
            seq=self._audit_seq, hash=self._audit_hash
        )


# Building -------------------------------------------------------------------------


def _workspace_and_users(
    name: str, slug: str, users: Sequence[tuple[str, str, str | None]], domain: str
) -> tuple[Workspace, dict[str, Membership]]:
    workspace = services.create_workspace(name, slug)
    teams = {
        team: Team.objects.create(workspace=workspace, name=team)
        for team in sorted({t for _, _, t in users if t})
    }
    password = _password_hash()
    members = {}
    for local, role, team in users:
        email = f"{local}@{domain}"
        user = User.objects.filter(email=email).first() or User.objects.create(
            email=email, full_name=local.capitalize(), password=password
        )
        members[local] = services.add_member(
            workspace, user, role, team=teams.get(team) if team else None
        )
    return workspace, members


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)


def _surname(rng: random.Random, country: str) -> str:
    if rng.random() < 0.5:
        return rng.choice(demo.LAST_NAMES[country])
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


@functools.lru_cache(maxsize=4096)
def _ascii(text: str) -> str:
    return demo._ascii(text)


def _chain_start(ctx: GenContext) -> None:
    chain = audit.chain_name(ctx.workspace.pk)
    AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
    head = AuditChainHead.objects.get(chain=chain)
    ctx._audit_seq, ctx._audit_hash = head.seq, head.hash


def _address(rng: random.Random, country: str) -> list[str]:
    city, postal, region = rng.choice(demo.CITIES[country])
    street = f"{rng.choice(demo.STREETS[country])} {rng.randint(1, 180)}"
    return [street, city, postal, region, country]


def _search_rows(
    ctx: GenContext, kind: str, pk: int, owner: int | None, doc: Any, entry_id: int
) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    plain, fuzzy = search.document_tokens(doc)
    sqlite = ctx.loader.vendor == "sqlite"
    entry = (
        entry_id,
        ctx.workspace.pk,
        kind,
        pk,
        owner,
        " ".join(plain),
        "" if sqlite else " ".join(fuzzy),
    )
    if not sqlite:
        return entry, None
    prefix = f"w{ctx.workspace.pk}_"
    fts = (entry_id, " ".join(prefix + t for t in plain), " ".join(prefix + t for t in fuzzy))
    return entry, fts


SEARCH_COLUMNS = ["id", "workspace_id", "object_type", "object_id", "owner_id", "document", "fuzz"]
TIMELINE_COLUMNS = [
    "id", "workspace_id", "person_id", "company_id", "kind", "occurred_at", "actor_id",
    "summary", "data", "source_app", "source_model", "source_id",
]  # fmt: skip
ADDRESS_COLUMNS = [
    f"{kind}_{part}"
    for kind in ("billing", "shipping")
    for part in ("street", "city", "postal_code", "region", "country")
]
RECORD_COLUMNS = [
    "id", "workspace_id", "uid", "owner_id", "version", "created_at", "updated_at",
    "created_by_id", "deleted_at", "deleted_by_id", *ADDRESS_COLUMNS,
]  # fmt: skip
COMPANY_COLUMNS = [*RECORD_COLUMNS, "name", "domain", "industry", "website", "phone", "email"]
PERSON_COLUMNS = [
    *RECORD_COLUMNS, "first_name", "last_name", "title", "company_id", "email", "alt_email",
    "phone", "mobile", "national_id", "national_id_bidx", "bank_account", "bank_account_bidx",
]  # fmt: skip
NOTE_COLUMNS = [
    "id", "workspace_id", "person_id", "company_id", "author_id", "body", "version",
    "created_at", "updated_at", "deleted_at",
]  # fmt: skip


def _write_search(ctx: GenContext, entries: list[Any], fts: list[Any]) -> None:
    from amity.core.models import SearchEntry

    ctx.loader.insert(SearchEntry, SEARCH_COLUMNS, entries)
    if fts:
        ctx.loader.raw_insert("core_search_fts", ["rowid", "doc", "fuzz"], fts)


def _country(rng: random.Random) -> str:
    return rng.choices([c for c, _ in COUNTRIES], [w for _, w in COUNTRIES])[0]


def _created(ctx: GenContext, i: int, n: int) -> datetime:
    # Records arrive over three years, older ids first, with some jitter.
    span = timedelta(days=3 * 365).total_seconds()
    offset = span * (1 - (i + ctx.rng.random()) / max(n, 1))
    return ctx.now - timedelta(seconds=offset)


def _companies(ctx: GenContext, count: int) -> int:
    from amity.core.models import SearchEntry

    ids = ctx.loader.next_ids(Company, count)
    ctx.company_ids = ids
    creator = ctx.members["admin"].user
    written = 0
    for start in range(0, count, CHUNK):
        rows, entries, fts, events = [], [], [], []
        chunk = ids[start : start + CHUNK]
        entry_ids = ctx.loader.next_ids(SearchEntry, len(chunk))
        event_ids = ctx.loader.next_ids(TimelineEvent, len(chunk))
        for n, pk in enumerate(chunk):
            rng = ctx.rng
            country = _country(rng)
            word = rng.choice(demo.COMPANY_WORDS)
            kind, industry = rng.choice(demo.COMPANY_KINDS)
            name = f"{word} {kind} {pk} {demo.LEGAL[country]}"
            domain = f"{word.lower()}-{kind.lower()}-{pk}.example"
            phone = demo.PHONE[country].format(rng.randint(0, 9999))
            email = f"info@{domain}"
            website = f"https://{domain}"
            owner = ctx.pick_owner()
            created = _created(ctx, start + n, count)
            address = _address(rng, country)
            rows.append(
                [pk, ctx.workspace.pk, uuid.UUID(int=rng.getrandbits(128), version=4), owner, 1,
                 created, created, creator.pk, None, None, *address, *address,
                 name, domain, industry, website, phone, email]
            )  # fmt: skip
            entry, fts_row = _search_rows(
                ctx, "company", pk, owner, _CompanyDoc(name, domain, email, phone, website),
                entry_ids[n],
            )  # fmt: skip
            entries.append(entry)
            if fts_row:
                fts.append(fts_row)
            events.append(
                (event_ids[n], ctx.workspace.pk, None, pk, "change", created, creator.pk,
                 "Created", {"action": "create"}, "", "", "")
            )  # fmt: skip
            changes = {
                "name": [None, name], "domain": [None, domain], "industry": [None, industry],
                "website": [None, website], "phone": [None, phone], "email": [None, email],
                "owner": [None, owner],
                **{c: [None, v] for c, v in zip(ADDRESS_COLUMNS, address + address, strict=True)},
            }  # fmt: skip
            ctx.audit_event(creator, "company", pk, name, created, changes)
        with transaction.atomic():
            written += ctx.loader.insert(Company, COMPANY_COLUMNS, rows)
            _write_search(ctx, entries, fts)
            ctx.loader.insert(TimelineEvent, TIMELINE_COLUMNS, events)
            ctx.flush_audit()
    return written


def note_url_template() -> tuple[str, str]:
    url = reverse("activities:note_edit", args=[987654321])
    before, after = url.split("987654321")
    return before, after


def _people(ctx: GenContext, count: int) -> int:
    from amity.activities.models import Note
    from amity.activities.services import _summary
    from amity.core.models import SearchEntry

    ids = ctx.loader.next_ids(Person, count)
    ctx.person_ids = ids
    creator = ctx.members["admin"].user
    authors = [m.user for m in ctx.members.values() if m.role.key != "readonly"]
    summaries = [_summary(text) for text in NOTE_TEXTS]
    url_before, url_after = note_url_template()
    ws = ctx.workspace.pk
    companies = ctx.company_ids
    written = 0
    for start in range(0, count, CHUNK):
        rng = ctx.rng
        chunk = ids[start : start + CHUNK]
        rows: list[list[Any]] = []
        entries: list[tuple[Any, ...]] = []
        fts: list[tuple[Any, ...]] = []
        events: list[list[Any]] = []
        notes: list[tuple[int, int | None, User, int, datetime]] = []
        entry_ids = iter(ctx.loader.next_ids(SearchEntry, len(chunk)))
        for n, pk in enumerate(chunk):
            i = start + n
            country = _country(rng)
            first = rng.choice(demo.FIRST_NAMES[country])
            last = RARE_NAME if i % max(count // RARE_COUNT, 1) == 3 else _surname(rng, country)
            email = f"{_ascii(first)}.{_ascii(last)}.{pk}@example.{country.lower()}"
            phone = demo.PHONE[country].format(rng.randint(0, 999999) % 10**4)
            mobile = demo.PHONE[country].format(rng.randint(0, 9999)) if rng.random() < 0.6 else ""
            owner = ctx.pick_owner()
            # Large companies first: a power curve over the company ids.
            company = (
                companies[int(len(companies) * rng.random() ** 2)]
                if companies and rng.random() < 0.8
                else None
            )
            created = _created(ctx, i, count)
            uid = uuid.UUID(int=rng.getrandbits(128), version=4)
            address = _address(rng, country)
            shipping = address if rng.random() < 0.7 else _address(rng, country)
            sensitive: dict[str, str] = {}
            sealed: dict[str, tuple[str, str]] = {}
            if rng.random() < 0.3:
                sensitive["national_id"] = demo._national_id(rng, country)
            if rng.random() < 0.2:
                sensitive["bank_account"] = demo.iban(country, demo._bban(rng, country))
            for name in ("national_id", "bank_account"):
                value = sensitive.get(name)
                sealed[name] = (
                    (
                        crypto.seal(ws, "person", name, str(uid), value),
                        crypto.blind_index(ws, name, value),
                    )
                    if value
                    else ("", "")
                )
            title = rng.choice(demo.TITLES)
            rows.append(
                [pk, ws, uid, owner, 1, created, created, creator.pk, None, None,
                 *address, *shipping, first, last, title, company, email, "", phone, mobile,
                 *sealed["national_id"], *sealed["bank_account"]]
            )  # fmt: skip
            entry, fts_row = _search_rows(
                ctx, "person", pk, owner, _PersonDoc(first, last, email, phone, mobile),
                next(entry_ids),
            )  # fmt: skip
            entries.append(entry)
            if fts_row:
                fts.append(fts_row)
            events.append(
                [ws, pk, company, "change", created, creator.pk, "Created",
                 {"action": "create"}, "", "", ""]
            )  # fmt: skip
            changes: dict[str, Any] = {
                "first_name": [None, first], "last_name": [None, last], "title": [None, title],
                "company": [None, company], "email": [None, email], "alt_email": [None, ""],
                "phone": [None, phone], "mobile": [None, mobile], "owner": [None, owner],
                **{c: [None, v] for c, v in zip(ADDRESS_COLUMNS, address + shipping, strict=True)},
                **{k: [None, "•••• (changed)"] for k in sensitive},
            }  # fmt: skip
            ctx.audit_event(creator, "person", pk, f"{first} {last}", created, changes)
            active = i % ACTIVE_EVERY == ACTIVE_OFFSET
            note_count = ACTIVE_NOTES if active else rng.choices(NOTE_COUNTS, NOTE_WEIGHTS)[0]
            for k in range(note_count):
                at = created + timedelta(hours=1 + k * 7, minutes=rng.randint(0, 59))
                text = rng.randrange(len(NOTE_TEXTS))
                author = rng.choice(authors)
                notes.append((pk, company, author, text, at))
        note_ids = ctx.loader.next_ids(Note, len(notes))
        event_ids = ctx.loader.next_ids(TimelineEvent, len(events) + len(notes))
        note_rows = []
        for note_id, (pk, company, author, text, at) in zip(note_ids, notes, strict=True):
            note_rows.append((note_id, ws, pk, None, author.pk, NOTE_TEXTS[text], 1, at, at, None))
            note_entry: dict[str, Any] = {
                "note_id": note_id,
                "body": NOTE_TEXTS[text],
                "author_id": author.pk,
                "url": f"{url_before}{note_id}{url_after}",
            }
            events.append(
                [ws, pk, company, "note", at, author.pk, summaries[text], note_entry,
                 "activities", "note", str(note_id)]
            )  # fmt: skip
            ctx.audit_event(author, "note", note_id, f"note {note_id}", at)
        with transaction.atomic():
            written += ctx.loader.insert(Person, PERSON_COLUMNS, rows)
            _write_search(ctx, entries, fts)
            ctx.loader.insert(Note, NOTE_COLUMNS, note_rows)
            ctx.loader.insert(
                TimelineEvent,
                TIMELINE_COLUMNS,
                ([eid, *event] for eid, event in zip(event_ids, events, strict=True)),
            )
            ctx.flush_audit()
    return written


def _generate_workspace(
    loader: Loader,
    rng: random.Random,
    name: str,
    slug: str,
    contacts: int,
    users: Sequence[tuple[str, str, str | None]],
    domain: str,
) -> GenContext:
    workspace, members = _workspace_and_users(name + " (loading)", slug, users, domain)
    owners = [m for m in members.values() if m.role.key in ("sales", "manager", "admin")]
    owners.sort(key=lambda m: (m.role.key != "sales", m.user.email))
    ctx = GenContext(
        loader=loader,
        rng=rng,
        workspace=workspace,
        contacts=contacts,
        members=members,
        owner_ids=[m.user_id for m in owners],
        owner_weights=[1 / (n + 1) ** 1.3 for n in range(len(owners))],
    )
    _chain_start(ctx)
    _companies(ctx, max(contacts // 10, 1))
    _people(ctx, contacts)
    for step in registry.data_steps().values():
        step(ctx)
    return ctx


def _register_steps() -> None:
    """Register the modules' data steps (imported here: they import this module)."""
    from amity.bench import duplicates, sales

    sales.register_data()
    duplicates.register_data()


# The object type of the audit event that says an addable step was applied to a workspace.
STEP_APPLIED = "bench_step"


def _workspace_context(loader: Loader, workspace: Workspace, rng: random.Random) -> GenContext:
    """Rebuild a step's context for a workspace generated earlier (from what it holds)."""
    members = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(workspace=workspace).select_related("user", "role")
    }
    owners = [m for m in members.values() if m.role.key in ("sales", "manager", "admin")]
    owners.sort(key=lambda m: (m.role.key != "sales", m.user.email))

    def ids(model: type[models.Model]) -> range:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MIN(id), MAX(id) FROM {model._meta.db_table} "  # noqa: S608
                "WHERE workspace_id = %s",
                [workspace.pk],
            )
            low, high = cursor.fetchone()
        return range(low, high + 1) if low is not None else range(0)

    person_ids = ids(Person)
    ctx = GenContext(
        loader=loader,
        rng=rng,
        workspace=workspace,
        contacts=len(person_ids),
        members=members,
        owner_ids=[m.user_id for m in owners],
        owner_weights=[1 / (n + 1) ** 1.3 for n in range(len(owners))],
        person_ids=person_ids,
        company_ids=ids(Company),
    )
    _chain_start(ctx)
    return ctx


def _bench_workspaces(contacts: int) -> list[Workspace]:
    slugs = [SLUG, *(slug for _, slug, _ in extra_workspaces(contacts))]
    found = {w.slug: w for w in Workspace.objects.filter(slug__in=slugs)}
    return [found[slug] for slug in slugs if slug in found]


def missing_steps(workspace: Workspace) -> list[str]:
    """Return the addable steps not yet applied to a workspace's data."""
    applied = set(
        AuditEvent.objects.filter(
            workspace=workspace, object_type=STEP_APPLIED, object_id__in=registry.addable_steps()
        ).values_list("object_id", flat=True)
    )
    return [name for name in registry.addable_steps() if name not in applied]


def add_missing_steps(
    contacts: int, seed: int, *, progress: Callable[[str], None] = print
) -> dict[str, int]:
    """Apply the addable steps a data set lacks, workspace by workspace; return rows written.

    Each step gets a random seeded by (seed, step, workspace), so it writes the same
    rows whether it ran right after generating or on a data set generated before it.
    """
    _register_steps()
    loader: Loader | None = None
    for workspace in _bench_workspaces(contacts):
        for name in missing_steps(workspace):
            progress(f"Adding the {name} step to {workspace.name} …")
            loader = loader or Loader()
            rng = random.Random(f"{seed}:{name}:{workspace.slug}")
            ctx = _workspace_context(loader, workspace, rng)
            registry.addable_steps()[name](ctx)
            admin = ctx.members["admin"].user
            ctx.audit_event(admin, STEP_APPLIED, name, f"bench data step {name}", ctx.now)
            ctx.flush_audit()
    if loader is None:
        return {}
    loader.finish()
    return {table: n for table, n in loader.written.items() if table != "core_search_fts"}


def extra_workspaces(contacts: int) -> list[tuple[str, str, int]]:
    """Return the smaller workspaces beside the main one (for multi-tenant load tests)."""
    size = min(max(contacts // 50, 100), 20_000)
    return [(f"Bench other {n}", f"{SLUG}-other-{n}", size) for n in (1, 2)]


def is_bench_database() -> bool:
    """Return whether every workspace here is a benchmark workspace (so it may be flushed)."""
    return not Workspace.objects.exclude(slug__startswith=SLUG).exists()


def existing(contacts: int, seed: int) -> bool:
    return Workspace.objects.filter(slug=SLUG, name=workspace_name(contacts, seed)).exists()


def ensure(
    contacts: int,
    seed: int,
    *,
    force: bool = False,
    progress: Callable[[str], None] = print,
    add_steps: bool = True,
) -> Summary:
    """Build the data set unless a complete one of this size and seed is already here.

    Either way the addable steps it lacks are applied; `add_steps=False` leaves them
    out (a data set as generated before they existed).
    """
    if existing(contacts, seed) and not force:
        if not add_steps:
            return Summary(contacts, seed, reused=True)
        started = time.perf_counter()
        added = add_missing_steps(contacts, seed, progress=progress)
        seconds = time.perf_counter() - started if added else 0.0
        return Summary(contacts, seed, reused=True, rows=added, seconds=seconds)
    if Workspace.objects.exists():
        if not is_bench_database():
            raise RuntimeError(
                "This database holds workspaces that are not benchmark data; "
                "point AMITY_SQLITE_PATH or DATABASE_URL at a database of its own."
            )
        progress("Emptying the previous benchmark data …")
        call_command("flush", interactive=False, verbosity=0)
    crypto.clear_cache()
    _register_steps()
    started = time.perf_counter()
    loader = Loader()
    rng = random.Random(seed)
    progress(f"Generating {contacts:,} contacts (seed {seed}) on {connection.vendor} …")
    users = [(local, role, team) for local, role, team in USERS]
    _generate_workspace(loader, rng, workspace_name(contacts, seed), SLUG, contacts, users, DOMAIN)
    for name, slug, size in extra_workspaces(contacts):
        other_users = [
            ("admin", "admin", None),
            ("sales01", "sales", None),
            ("sales02", "sales", None),
        ]
        _generate_workspace(loader, rng, name, slug, size, other_users, f"{slug}.{DOMAIN}")
    loader.finish()
    for slug, name in [(SLUG, workspace_name(contacts, seed))] + [
        (s, n) for n, s, _ in extra_workspaces(contacts)
    ]:
        Workspace.objects.filter(slug=slug).update(name=name)
    rows = {table: n for table, n in loader.written.items() if table != "core_search_fts"}
    added = add_missing_steps(contacts, seed, progress=progress) if add_steps else {}
    for table, n in added.items():
        rows[table] = rows.get(table, 0) + n
    seconds = time.perf_counter() - started
    return Summary(contacts, seed, reused=False, rows=rows, seconds=seconds)

"""Near-duplicate people for the benchmark, their duplicate keys and pairs, and the list scenario.

The step adds about DUPLICATE_SHARE of the people again, the way duplicates reach a
real CRM: the same person typed with a typo and the same e-mail address, with
another address but the same phone number written differently, or under the same
name at the same company. Then it writes every record's blocking keys with
customers.duplicates' own key function, and the copies' pairs with its own
`refresh_records` (what the job after saving them does), so the duplicates screen
reads what it reads in a live workspace. Not a whole-workspace refresh: the
generated phone numbers repeat (10,000 a country), which at a million people
would pair some 10 million records by phone alone.

It is addable: a data set generated before the step existed gains it on reuse
(`generator.add_missing_steps`), without being generated again.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from amity.bench.registry import Request, Scenario, data_step, register
from amity.core.models import SearchEntry
from amity.core.paging import COUNT_CAP
from amity.customers import duplicates
from amity.customers.models import Company, DuplicateKey, DuplicatePair, Person, TimelineEvent

if TYPE_CHECKING:
    from amity.bench.generator import GenContext
    from amity.bench.scenarios import Dataset

STEP = "duplicates"
DUPLICATE_SHARE = 0.005
KEY_CHUNK = 20_000
# (variant, weight): what the copy shares with the original.
VARIANTS = [("email", 40), ("phone", 35), ("name", 25)]
ORIGINAL_COLUMNS = [
    "id", "owner_id", "company_id", "first_name", "last_name", "title", "email", "phone",
    "mobile", "created_at", "billing_street", "billing_city", "billing_postal_code",
    "billing_region", "billing_country",
]  # fmt: skip
KEY_COLUMNS = ["workspace_id", "object_type", "object_id", "key"]


def typo(rng: random.Random, word: str) -> str:
    """Return `word` with one slip of the keyboard: two letters swapped, one dropped or doubled."""
    if len(word) < 3:
        return word + word[-1:]
    i = rng.randrange(1, len(word) - 1)
    slip = rng.randrange(3)
    if slip == 0 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if slip == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def regroup_phone(phone: str) -> str:
    """Write a phone number's digits differently ("+47 2233 4455" → "0047 22334455")."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return f"00{digits[:2]} {digits[2:]}"
    return f"{digits[:3]} {digits[3:]}"


def _copy(rng: random.Random, original: dict[str, Any]) -> dict[str, Any]:
    """Return the values of a near-duplicate of `original` (a row of ORIGINAL_COLUMNS)."""
    row = dict(original)
    variant = rng.choices([v for v, _ in VARIANTS], [w for _, w in VARIANTS])[0]
    first, last = original["first_name"], original["last_name"]
    local = f"{first}.{last}".lower().replace(" ", "")
    if variant == "email":
        if rng.random() < 0.5:
            row["first_name"] = typo(rng, first)
        else:
            row["last_name"] = typo(rng, last)
        row["email"] = original["email"].upper() if rng.random() < 0.2 else original["email"]
        row["phone"] = ""
    elif variant == "phone":
        row["email"] = f"{local}{rng.randint(1, 99)}@mail.example"
        row["last_name"] = typo(rng, last) if rng.random() < 0.5 else last
        row["phone"] = regroup_phone(original["phone"])
        row["mobile"] = ""
    else:
        row["email"] = f"{local}@{rng.choice(['post', 'home', 'work'])}.example"
        row["phone"], row["mobile"] = "", ""
    if rng.random() < 0.2:
        row["owner_id"] = None
    row["created_at"] = original["created_at"] + timedelta(days=rng.randint(1, 400))
    return row


def _originals(ctx: GenContext, ids: list[int]) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 2000):
        rows = Person.objects.filter(
            workspace_id=ctx.workspace.pk, pk__in=ids[start : start + 2000]
        ).values(*ORIGINAL_COLUMNS)
        found.update({row["id"]: row for row in rows})
    return [found[pk] for pk in ids if pk in found]


def add_duplicates(ctx: GenContext) -> int:
    """Add the near-duplicate people, then every record's keys and pairs; return rows written."""
    from amity.bench import generator

    rng = ctx.rng
    people = list(
        Person.objects.filter(workspace_id=ctx.workspace.pk, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    count = max(round(len(people) * DUPLICATE_SHARE), 1) if people else 0
    originals = _originals(ctx, sorted(rng.sample(people, count)))
    ws = ctx.workspace.pk
    creator = ctx.members["admin"].user
    ids = ctx.loader.next_ids(Person, len(originals))
    entry_ids = ctx.loader.next_ids(SearchEntry, len(originals))
    event_ids = ctx.loader.next_ids(TimelineEvent, len(originals))
    rows, entries, fts, events = [], [], [], []
    for n, (pk, original) in enumerate(zip(ids, originals, strict=True)):
        copy = _copy(rng, original)
        address = [copy[column] for column in generator.ADDRESS_COLUMNS[:5]]
        created = copy["created_at"]
        rows.append(
            [pk, ws, uuid.UUID(int=rng.getrandbits(128), version=4), copy["owner_id"], 1,
             created, created, creator.pk, None, None, *address, *address,
             copy["first_name"], copy["last_name"], copy["title"], copy["company_id"],
             copy["email"], "", copy["phone"], copy["mobile"], "", "", "", ""]
        )  # fmt: skip
        doc = generator._PersonDoc(
            copy["first_name"], copy["last_name"], copy["email"], copy["phone"], copy["mobile"]
        )
        entry, fts_row = generator._search_rows(
            ctx, "person", pk, copy["owner_id"], doc, entry_ids[n]
        )
        entries.append(entry)
        if fts_row:
            fts.append(fts_row)
        events.append(
            (event_ids[n], ws, pk, copy["company_id"], "change", created, creator.pk,
             "Created", {"action": "create"}, "", "", "")
        )  # fmt: skip
        changes = {
            name: [None, copy[name]]
            for name in ("first_name", "last_name", "title", "email", "phone", "mobile")
        }
        name = f"{copy['first_name']} {copy['last_name']}"
        ctx.audit_event(creator, "person", pk, name, created, changes)
    with transaction.atomic():
        written = ctx.loader.insert(Person, generator.PERSON_COLUMNS, rows)
        generator._write_search(ctx, entries, fts)
        written += ctx.loader.insert(TimelineEvent, generator.TIMELINE_COLUMNS, events)
        ctx.flush_audit()
    for kind in ("person", "company"):
        written += write_keys(ctx, kind)
    # The pairs the app computes once the copies are saved (the job after a write).
    for start in range(0, len(ids), duplicates.CHUNK):
        chunk = list(ids[start : start + duplicates.CHUNK])
        pairs = duplicates.refresh_records(ctx.workspace.pk, "person", chunk)
        # Counted as the loader's own writes, so its finish() analyses the table too.
        table = DuplicatePair._meta.db_table
        ctx.loader.written[table] = ctx.loader.written.get(table, 0) + pairs
        written += pairs
    return written


def write_keys(ctx: GenContext, kind: str) -> int:
    """Write every live record's blocking keys (customers.duplicates.keys_of), in pk chunks."""
    model = Person if kind == "person" else Company
    fields = (
        ["first_name", "last_name", "email", "alt_email", "phone", "mobile", "company_id"]
        if kind == "person"
        else ["name", "domain", "website", "email", "phone"]
    )
    ws = ctx.workspace.pk
    DuplicateKey.objects.filter(workspace_id=ws, object_type=kind).delete()
    records = model._default_manager.filter(workspace_id=ws, deleted_at__isnull=True)
    written, last = 0, 0
    while True:
        chunk = list(records.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:KEY_CHUNK])
        if not chunk:
            return written
        rows = [
            (ws, kind, values["pk"], key)
            for values in chunk
            for key in duplicates.keys_of(kind, SimpleNamespace(**values))
        ]
        with transaction.atomic():
            written += ctx.loader.insert(DuplicateKey, KEY_COLUMNS, rows)
        last = chunk[-1]["pk"]


def register_data() -> None:
    data_step(STEP, add_duplicates, addable=True)


# The scenario -------------------------------------------------------------------------


def list_floor(ds: Dataset) -> None:
    """The raw SQL of the screen's first page: 50 pairs by score, their two people, a count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, first_id, second_id, score, reasons FROM customers_duplicatepair "
            "WHERE workspace_id = %s AND object_type = 'person' AND dismissed_at IS NULL "
            "ORDER BY score DESC, id DESC LIMIT 51",
            [ds.ws],
        )
        pairs = cursor.fetchall()
        ids = sorted({pk for row in pairs for pk in row[1:3]}) or [0]
        marks = ", ".join(["%s"] * len(ids))
        people = (
            "SELECT p.id, p.first_name, p.last_name, p.email, p.phone, c.id, c.name "  # noqa: S608
            "FROM customers_person p LEFT JOIN customers_company c ON c.id = p.company_id "
            f"WHERE p.workspace_id = %s AND p.deleted_at IS NULL AND p.id IN ({marks})"
        )
        cursor.execute(people, [ds.ws, *ids])
        cursor.fetchall()
        count = (
            "SELECT COUNT(*) FROM (SELECT 1 FROM customers_duplicatepair "  # noqa: S608
            "WHERE workspace_id = %s AND object_type = 'person' AND dismissed_at IS NULL "
            f"LIMIT {COUNT_CAP + 1}) t"
        )
        cursor.execute(count, [ds.ws])
        cursor.fetchall()


def register_scenarios() -> None:
    register(
        Scenario(
            "duplicates list",
            request=lambda ds: Request("/duplicates/?kind=person", "manager"),
            floor=list_floor,
            budget_ms=50,
            description="duplicates screen, people, first page of 50 pairs by score",
        )
    )

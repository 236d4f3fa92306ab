"""Finding duplicates: blocking keys, scored pairs, the warning on create, dismissals.

Every saved record gets a few *blocking keys* (its e-mail addresses, the last
digits of its phone numbers, its normalised name with its company, a phonetic
skeleton of its name, a company's domain). Two records are only ever compared
when they share a key, so both the check on create (one indexed lookup) and the
pairs of a whole workspace (a GROUP BY over the key index) stay fast at a
million records: no record is compared with every other.

A pair's score is the best of its shared keys (SCORES); its reasons list them
all. Keys shared by more than MAX_BLOCK records (a help-desk address everyone
copies) are too common to mean anything and make no pairs.

Later modules add keys of their own with `register_keys(model, function)` from
their AppConfig.ready() (e.g. a person's extra e-mail addresses).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core import access, audit
from amity.core.models import Membership
from amity.core.paging import Page, paginate
from amity.core.search import fold, words
from amity.customers.models import (
    Company,
    CustomerRecord,
    DuplicateKey,
    DuplicatePair,
    Person,
)

SCORES = {"email": 100, "domain": 90, "phone": 80, "name": 60, "fuzzy": 40}
REASONS = {
    "email": _("same email"),
    "domain": _("same domain"),
    "phone": _("same phone number"),
    "name": _("same name"),
    "fuzzy": _("similar name"),
}
MAX_BLOCK = 50
# A create is held back only for a name match or better; a similar name alone is too weak.
CREATE_THRESHOLD = 60
MAX_CANDIDATES = 10
PHONE_DIGITS = 8
CHUNK = 2000
# Above this many keys (many records refreshed at once) the keys are read in bulk.
MANY_KEYS = 50
MODELS: dict[str, type[Company] | type[Person]] = {"person": Person, "company": Company}
# What a pair's records show of themselves (their str()): the list reads no other column.
NAME_COLUMNS = {"person": ("id", "first_name", "last_name"), "company": ("id", "name")}
KeyFunction = Callable[[Any], Iterable[str]]
_extra_keys: dict[str, list[KeyFunction]] = {}
_DOMAIN_PREFIX = re.compile(r"^(https?://)?(www\.)?")
_SKIP_LETTERS = set("aeiouyhw")


def register_keys(model: type[CustomerRecord], function: KeyFunction) -> None:
    """Add `function(record) -> ["kind:value", ...]` to the keys of `model`'s records.

    The kind (before the colon) must be one of SCORES; call from AppConfig.ready().
    """
    functions = _extra_keys.setdefault(model.ACCESS_TYPE, [])
    if function not in functions:
        functions.append(function)


# Keys ----------------------------------------------------------------------


def _email(value: str) -> str:
    return value.strip().lower()


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else ""


def _name(*parts: str) -> str:
    return " ".join(w for part in parts for w in words(part))


def skeleton(text: str) -> str:
    """Return a phonetic skeleton: first letter, then consonants without repeats.

    "Johnson" and "Jonsson" both give "jnsn"; "Hansen" and "Hanssen" give "hnsn".
    """
    letters = [ch for ch in fold(text) if ch.isalpha()]
    if not letters:
        return ""
    out = [letters[0]]
    for ch in letters[1:]:
        if ch in _SKIP_LETTERS or ch == out[-1]:
            continue
        out.append(ch)
    return "".join(out)


def domain_of(value: str) -> str:
    host = _DOMAIN_PREFIX.sub("", value.strip().lower()).split("/")[0]
    return host.split("@")[-1]


def keys_for(record: Any) -> list[str]:
    """Return the blocking keys of a (possibly unsaved) person or company."""
    return keys_of(getattr(record, "ACCESS_TYPE", ""), record)


def keys_of(kind: str, record: Any) -> list[str]:
    """Return the blocking keys of anything with a `kind` record's attributes (an import row)."""
    keys: list[str] = []
    if kind == "person":
        keys += [f"email:{_email(e)}" for e in (record.email, record.alt_email) if e.strip()]
        keys += [f"phone:{p}" for p in map(_phone, (record.phone, record.mobile)) if p]
        name = _name(record.first_name, record.last_name)
        if name:
            keys.append(f"name:{name}|{record.company_id or ''}")
        first = fold(record.first_name.strip())[:1]
        last = skeleton(record.last_name)
        if last:
            keys.append(f"fuzzy:{first}{last}")
    elif kind == "company":
        if record.email.strip():
            keys.append(f"email:{_email(record.email)}")
        domain = domain_of(record.domain or record.website)
        if domain:
            keys.append(f"domain:{domain}")
        if phone := _phone(record.phone):
            keys.append(f"phone:{phone}")
        name = _name(record.name)
        if name:
            keys.append(f"name:{name}")
            keys.append(f"fuzzy:{skeleton(name)}")
    for function in _extra_keys.get(kind, []):
        keys += [k for k in function(record) if k.partition(":")[0] in SCORES]
    return list(dict.fromkeys(k[:220] for k in keys))


def write_keys(records: Sequence[CustomerRecord]) -> None:
    """Replace the blocking keys of saved records of one type (one workspace)."""
    if not records:
        return
    kind, workspace_id = records[0].ACCESS_TYPE, records[0].workspace_id
    DuplicateKey.objects.filter(
        workspace_id=workspace_id, object_type=kind, object_id__in=[r.pk for r in records]
    ).delete()
    DuplicateKey.objects.bulk_create(
        DuplicateKey(workspace_id=workspace_id, object_type=kind, object_id=r.pk, key=key)
        for r in records
        for key in keys_for(r)
    )


def refresh_later(workspace_id: int, kind: str, ids: Sequence[int]) -> None:
    """Queue the keys and pairs of many records (an import's) for the worker, a chunk a task.

    Writing the keys inside the import's transaction cost more than the rest of the
    fast path gained (five index entries a row); the worker writes them after the commit.
    """
    from amity.customers import tasks

    chunks = [list(ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK)]

    def enqueue() -> None:
        for chunk in chunks:
            tasks.refresh_duplicates.enqueue(workspace_id, kind, chunk, True)

    if chunks:
        transaction.on_commit(enqueue)


def after_write(record: CustomerRecord) -> None:
    """Keep a record's keys current and refresh its pairs once the transaction commits."""
    from amity.customers import tasks

    write_keys([record])
    kind, workspace_id, pk = record.ACCESS_TYPE, record.workspace_id, record.pk
    transaction.on_commit(lambda: tasks.refresh_duplicates.enqueue(workspace_id, kind, [pk]))


# Pairs ---------------------------------------------------------------------


def _score(keys: Iterable[str]) -> tuple[int, list[str]]:
    kinds = sorted({k.partition(":")[0] for k in keys}, key=lambda k: -SCORES[k])
    return (SCORES[kinds[0]] if kinds else 0), kinds


def _pairs_from_blocks(blocks: dict[str, list[int]]) -> dict[tuple[int, int], set[str]]:
    found: dict[tuple[int, int], set[str]] = {}
    for key, ids in blocks.items():
        ids = sorted(set(ids))
        if len(ids) < 2 or len(ids) > MAX_BLOCK:
            continue
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                found.setdefault((a, b), set()).add(key)
    return found


def _drop_pairs(workspace_id: int, kind: str, ids: list[int] | None) -> None:
    """Delete the undismissed pairs of `ids` (or all of them).

    One DELETE per side: an OR across first_id and second_id reads no index and
    scans every pair of the workspace.
    """
    stale = DuplicatePair.objects.filter(
        workspace_id=workspace_id, object_type=kind, dismissed_at__isnull=True
    )
    if ids is None:
        stale.delete()
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        stale.filter(first_id__in=chunk).delete()
        stale.filter(second_id__in=chunk).delete()


def _save_pairs(
    workspace_id: int,
    kind: str,
    found: dict[tuple[int, int], set[str]],
    ids: list[int] | None,
    owners: dict[int, int | None],
) -> int:
    """Replace the undismissed pairs (of `ids`, or all); dismissed ones are kept as they are."""
    _drop_pairs(workspace_id, kind, ids)
    now = timezone.now()
    rows = []
    for (a, b), keys in found.items():
        score, reasons = _score(keys)
        rows.append(
            DuplicatePair(
                workspace_id=workspace_id,
                object_type=kind,
                first_id=a,
                second_id=b,
                first_owner_id=owners.get(a),
                second_owner_id=owners.get(b),
                score=score,
                reasons=reasons,
                computed_at=now,
            )
        )
    DuplicatePair.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
    return len(rows)


def _live_owners(workspace_id: int, kind: str, ids: Iterable[int]) -> dict[int, int | None]:
    """Return {id: owner id} of the records not in the trash (by primary key, in chunks)."""
    model = MODELS[kind]
    wanted = list(ids)
    owners: dict[int, int | None] = {}
    for start in range(0, len(wanted), CHUNK):
        owners.update(
            model._default_manager.filter(
                workspace_id=workspace_id,
                pk__in=wanted[start : start + CHUNK],
                deleted_at__isnull=True,
            ).values_list("pk", "owner_id")
        )
    return owners


def _blocks_at_once(workspace_id: int, kind: str, keys: list[str]) -> dict[str, list[int]]:
    """The same as _blocks for many keys (an imported chunk's): one query per 500 keys."""
    blocks: dict[str, list[int]] = {}
    found = DuplicateKey.objects.filter(workspace_id=workspace_id, object_type=kind)
    for start in range(0, len(keys), 500):
        rows = found.filter(key__in=keys[start : start + 500]).values_list("key", "object_id")
        for key, object_id in rows:
            blocks.setdefault(key, []).append(object_id)
    return {k: ids for k, ids in blocks.items() if len(ids) <= MAX_BLOCK}


def _blocks(workspace_id: int, kind: str, keys: Iterable[str]) -> dict[str, list[int]]:
    """Return the records holding each key, leaving out keys too common to mean anything.

    One indexed query per key, each reading at most MAX_BLOCK + 1 rows, so a key shared by
    thousands of records costs no more than a rare one.
    """
    blocks: dict[str, list[int]] = {}
    for key in keys:
        ids = list(
            DuplicateKey.objects.filter(
                workspace_id=workspace_id, object_type=kind, key=key
            ).values_list("object_id", flat=True)[: MAX_BLOCK + 1]
        )
        if len(ids) <= MAX_BLOCK:
            blocks[key] = ids
    return blocks


@transaction.atomic
def rewrite_keys(workspace_id: int, kind: str, ids: list[int]) -> None:
    """Write the keys of some records afresh from their saved values."""
    model = MODELS[kind]
    records = list(
        model._default_manager.filter(
            workspace_id=workspace_id, pk__in=ids, deleted_at__isnull=True
        ).order_by("pk")
    )
    write_keys(records)


@transaction.atomic
def refresh_records(workspace_id: int, kind: str, ids: list[int]) -> int:
    """Recompute the pairs of some records from their keys (after they were written)."""
    mine = DuplicateKey.objects.filter(
        workspace_id=workspace_id, object_type=kind, object_id__in=ids
    )
    key_values = list(mine.values_list("key", flat=True).distinct())
    if len(key_values) > MANY_KEYS:
        blocks = _blocks_at_once(workspace_id, kind, key_values)
    else:
        blocks = _blocks(workspace_id, kind, key_values)
    live = _live_owners(workspace_id, kind, {i for group in blocks.values() for i in group})
    blocks = {k: [i for i in v if i in live] for k, v in blocks.items()}
    wanted = set(ids)
    found = {p: k for p, k in _pairs_from_blocks(blocks).items() if wanted & set(p)}
    return _save_pairs(workspace_id, kind, found, ids, live)


def refresh_workspace(workspace_id: int, kind: str) -> int:
    """Rewrite every record's keys, then every pair of the workspace (the on-demand refresh)."""
    model = MODELS[kind]
    qs = model._default_manager.filter(workspace_id=workspace_id, deleted_at__isnull=True)
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            break
        with transaction.atomic():
            write_keys(chunk)
        last = chunk[-1].pk
    keys = DuplicateKey.objects.filter(workspace_id=workspace_id, object_type=kind)
    shared = (
        keys.values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1, n__lte=MAX_BLOCK)
        .values_list("key", flat=True)
    )
    blocks: dict[str, list[int]] = {}
    for key, object_id in keys.filter(key__in=shared).values_list("key", "object_id"):
        blocks.setdefault(key, []).append(object_id)
    live = _live_owners(workspace_id, kind, {i for group in blocks.values() for i in group})
    blocks = {k: [i for i in v if i in live] for k, v in blocks.items()}
    with transaction.atomic():
        return _save_pairs(workspace_id, kind, _pairs_from_blocks(blocks), None, live)


def forget_records(workspace_id: int, kind: str, ids: list[int]) -> None:
    """Drop the keys and undismissed pairs of records that went (merged or purged)."""
    DuplicateKey.objects.filter(
        workspace_id=workspace_id, object_type=kind, object_id__in=ids
    ).delete()
    _drop_pairs(workspace_id, kind, ids)


def hide_records(workspace_id: int, kind: str, ids: list[int]) -> None:
    """Drop the undismissed pairs of records moved to the trash (their keys stay for a restore)."""
    _drop_pairs(workspace_id, kind, ids)


# Reading -------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    record: Company | Person
    score: int
    reasons: list[str]

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


def candidates(member: Membership, record: CustomerRecord, threshold: int = 0) -> list[Candidate]:
    """Return the visible records that look like `record` (saved or not), best first."""
    kind = record.ACCESS_TYPE
    keys = keys_for(record)
    if not keys:
        return []
    shared: dict[int, set[str]] = {}
    for key, ids in _blocks(member.workspace_id, kind, keys).items():
        for object_id in ids:
            if object_id != record.pk:
                shared.setdefault(object_id, set()).add(key)
    if not shared:
        return []
    model = MODELS[kind]
    found = access.visible(member, model).filter(pk__in=list(shared))
    if model is Person:
        found = found.select_related("company")
    result = [Candidate(obj, *_score(shared[obj.pk])) for obj in found]
    result = [c for c in result if c.score >= threshold]
    result.sort(key=lambda c: (-c.score, c.record.pk))
    return result[:MAX_CANDIDATES]


@dataclass(frozen=True)
class PairRow:
    pair: DuplicatePair
    first: Company | Person
    second: Company | Person

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS.get(r, r)) for r in self.pair.reasons]


def pairs(
    member: Membership, kind: str, *, after: str | None = None, before: str | None = None
) -> tuple[Page[DuplicatePair], list[PairRow]]:
    """Return a page of undismissed pairs of records the member may see, best score first."""
    model = MODELS[kind]
    qs = DuplicatePair.objects.filter(
        workspace_id=member.workspace_id, object_type=kind, dismissed_at__isnull=True
    ).filter(_owners_filter(member, kind))
    page = paginate(qs, ["-score", "-id"], after=after, before=before, size=50)
    ids = {i for p in page.items for i in (p.first_id, p.second_id)}
    records: dict[int, Any] = {}
    if ids:
        found = access.visible(member, model).filter(pk__in=ids).only(*NAME_COLUMNS[kind])
        records = {obj.pk: obj for obj in found}
    rows = [
        PairRow(p, records[p.first_id], records[p.second_id])
        for p in page.items
        if p.first_id in records and p.second_id in records
    ]
    return page, rows


def _owners_filter(member: Membership, kind: str) -> Q:
    """Match the pairs whose two records lie in the member's view scope, by the stored owners.

    The page's records are still read through access.visible, so a pair whose
    stored owner went stale (a record reassigned or trashed since) never shows more.
    """
    scope = access.scope_for(member, kind, "view")
    if scope == "all":
        return Q()
    if scope == "team" and member.team_id is not None:
        team = list(
            Membership.objects.filter(
                workspace_id=member.workspace_id, team_id=member.team_id, is_active=True
            ).values_list("user_id", flat=True)
        )
        return Q(first_owner_id__in=team, second_owner_id__in=team)
    if scope is None:
        return Q(pk__in=[])
    return Q(first_owner_id=member.user_id, second_owner_id=member.user_id)


def get_pair(member: Membership, pk: Any) -> DuplicatePair:
    """Return one pair whose two records the member may see; Http404 otherwise."""
    from django.http import Http404

    try:
        pair = DuplicatePair.objects.get(pk=int(pk), workspace_id=member.workspace_id)
    except (DuplicatePair.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    model = MODELS.get(pair.object_type)
    if (
        model is None
        or access.visible(member, model).filter(pk__in=[pair.first_id, pair.second_id]).count() != 2
    ):
        raise Http404
    return pair


@transaction.atomic
def dismiss(member: Membership, pair: DuplicatePair) -> DuplicatePair:
    """Remember that the two records are not duplicates (a second dismissal changes nothing)."""
    if pair.dismissed_at is None:
        pair.dismissed_at, pair.dismissed_by_id = timezone.now(), member.user_id
        DuplicatePair.objects.filter(
            pk=pair.pk, workspace_id=member.workspace_id, dismissed_at__isnull=True
        ).update(dismissed_at=pair.dismissed_at, dismissed_by_id=pair.dismissed_by_id)
        audit.record(
            audit.Action.UPDATE,
            workspace=member.workspace_id,
            actor=member.user,
            object_type="duplicate_pair",
            object_id=pair.pk,
            object_repr=f"{pair.object_type} {pair.first_id}~{pair.second_id}",
            changes={"dismissed": [False, True]},
        )
    return pair


def panel_query(member: Membership, record: CustomerRecord) -> models.QuerySet[Any]:
    """Return (in one query) the visible records paired with `record`, with the pair's score."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    kind = record.ACCESS_TYPE
    model = MODELS[kind]
    mine = DuplicatePair.objects.filter(
        workspace_id=member.workspace_id, object_type=kind, dismissed_at__isnull=True
    )
    as_first = mine.filter(first_id=record.pk)
    as_second = mine.filter(second_id=record.pk)
    score = Coalesce(
        Subquery(as_first.filter(second_id=OuterRef("pk")).values("score")[:1]),
        Subquery(as_second.filter(first_id=OuterRef("pk")).values("score")[:1]),
    )
    qs: models.QuerySet[Any] = (
        access.visible(member, model)
        # A UNION, not an OR of two IN lists: PostgreSQL cannot seek with the OR and
        # scanned every person of the workspace (0.7 s at a million).
        .filter(pk__in=as_first.values("second_id").union(as_second.values("first_id")))
        .annotate(duplicate_score=score)
        .order_by("-duplicate_score", "pk")
    )
    return qs

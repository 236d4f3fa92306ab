"""Global search: the registry of searchable types and the index behind it.

Apps register a model with `register(...)` (in their AppConfig.ready) saying what
words and phone numbers describe a record; their services call `index(obj)` and
`remove(obj)` when a record changes. `query(member, q)` answers with hits the
member may see: the index applies the workspace and the view scope, and every
candidate is then confirmed through `access.visible`, so a stale or foreign index
row can never show.

Backends: on SQLite an FTS5 table whose words carry a workspace prefix
(`w12_hansen`), with a second column of one-letter deletions of name words for
typos; on PostgreSQL tsvector GIN indexes over the same two columns, so both
databases match the same words. Sensitive values are never indexed: national IDs and IBANs
are found by exact match on their blind index instead.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Q

from amity.core import access, bulk, phones
from amity.core.models import Membership, SearchEntry

MAX_LIMIT = 50
MAX_TOKENS = 6
MAX_TOKEN_LENGTH = 40
# Name words of this length or longer are also found with one letter wrong.
FUZZY_MIN = 4
# Short texts (names, addresses) are split once and remembered; long ones every time.
CACHED_TEXT = 80
WORD_CACHE = 50_000
# Candidates read from the index for each answer, before ranking and access checks.
CANDIDATE_FACTOR = 3
# Matches ranked per index read on PostgreSQL.
RANK_WINDOW = 1000
# Matches read per index read on SQLite, unranked; query() scores them in Python.
MATCH_WINDOW = 300
# PostgreSQL's GIN indexes over the entries (migration 0005), and what bulk_writes gives them.
GIN_INDEXES = ("search_entry_tsv", "search_entry_fuzz")
BULK_PENDING_KB = 16384
BULK_WORK_MEM_MB = 64
_WORD = re.compile(r"[^\W_]+")
_NON_DIGIT = re.compile(r"\D")
_PHONE_QUERY = re.compile(r"^\+?[\d\s().\-/]+$")
_EXACT_QUERY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-]{6,40}$")


@dataclass(frozen=True)
class Hit:
    type: str
    id: int
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class Document:
    """What a record is found by: name words (typo-tolerant), other words, phones."""

    names: Sequence[str] = ()
    words: Sequence[str] = ()
    phones: Sequence[str] = ()


@dataclass(frozen=True)
class Registration:
    type: str
    model: builtins.type[models.Model]
    label: Any
    document: Callable[[Any], Document]
    title: Callable[[Any], str]
    subtitle: Callable[[Any], str]
    select_related: tuple[str, ...] = ()
    # Returns a filter for exact matches on blind-indexed values, or None.
    exact: Callable[[int, str], Q | None] | None = None
    exact_action: str = "reveal"


_registry: dict[str, Registration] = {}


def register(
    model: type[models.Model],
    *,
    label: Any,
    document: Callable[[Any], Document],
    title: Callable[[Any], str],
    subtitle: Callable[[Any], str],
    select_related: Iterable[str] = (),
    exact: Callable[[int, str], Q | None] | None = None,
) -> None:
    """Make `model` searchable; its `ACCESS_TYPE` names it in results and filters."""
    kind: str = getattr(model, "ACCESS_TYPE")  # noqa: B009 - a protocol attribute
    _registry[kind] = Registration(
        type=kind,
        model=model,
        label=label,
        document=document,
        title=title,
        subtitle=subtitle,
        select_related=tuple(select_related),
        exact=exact,
    )


def registered() -> list[Registration]:
    """Return the searchable types in the order they were registered."""
    return list(_registry.values())


# Normalising ------------------------------------------------------------------


def fold(text: str) -> str:
    """Return the text in lower case without accents: "Ærlig Søren" → "ærlig søren"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return list(_words(text))


def _words(text: str) -> Sequence[str]:
    if len(text) <= CACHED_TEXT:
        return _short_words(text)
    return [w[:MAX_TOKEN_LENGTH] for w in _WORD.findall(fold(text))]


@functools.lru_cache(maxsize=WORD_CACHE)
def _short_words(text: str) -> tuple[str, ...]:
    """Names and e-mail domains repeat across the rows of an import: split each once."""
    return tuple(w[:MAX_TOKEN_LENGTH] for w in _WORD.findall(fold(text)))


def phone_tokens(phone: str) -> list[str]:
    """Return the digits of a phone number, also as dialled inside its country.

    An international number is indexed with and without its country code and, where
    the country dials a trunk prefix, with it ("+44 20 7946 0018" is found by
    "020 7946"); a national one with and without its leading 0.
    """
    # Stored numbers are E.164 ("+4722334455"): their digits need no pattern.
    bare = phone[1:] if phone.startswith("+") else phone
    if not (bare.isdigit() and bare.isascii()):
        # National forms ("020 7946 0018") are digits and spaces: no pattern needed either.
        bare = phone.replace(" ", "")
        if not (bare.isdigit() and bare.isascii()):
            bare = _NON_DIGIT.sub("", phone)
    digits = bare[:MAX_TOKEN_LENGTH]
    if len(digits) < 3:
        return []
    tokens = [digits]
    international = phone.strip().startswith("+") or digits.startswith("00")
    if international:
        bare = digits[2:] if digits.startswith("00") else digits
        tokens.append(bare)
        code = phones.country_code_length(bare)
        if code is not None:
            national = bare[code:]
            tokens += [national, phones.trunk_prefix(int(bare[:code])) + national]
        else:  # no known country: each possible code length
            tokens += [bare[n:] for n in (1, 2, 3) if len(bare) - n >= 6]
    elif digits.startswith("0") and len(digits) > 6:
        tokens.append(digits[1:])
    return [t for t in dict.fromkeys(tokens) if len(t) >= 3]


def deletions(word: str) -> list[str]:
    """Return the word and each way of leaving one letter out (typo neighbours)."""
    return list(_deletions(word))


@functools.lru_cache(maxsize=WORD_CACHE)
def _deletions(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys([word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]))


def _document_tokens(doc: Document) -> tuple[list[str], list[str]]:
    names = [w for text in doc.names for w in _words(text)]
    others = [w for text in doc.words for w in _words(text)]
    phones = [t for p in doc.phones for t in phone_tokens(p)]
    plain = list(dict.fromkeys([*names, *others, *phones]))
    fuzzy = list(
        dict.fromkeys(
            v for w in names if len(w) >= FUZZY_MIN and w.isalpha() for v in _deletions(w)
        )
    )
    return plain, fuzzy


def document_tokens(obj: Any) -> tuple[list[str], list[str]]:
    """Return the plain and typo-neighbour words a record is indexed under (for bulk loaders)."""
    reg = _registration_for(obj)
    if reg is None:
        return [], []
    return _document_tokens(reg.document(obj))


def query_tokens(q: str) -> list[str]:
    """Return the words to look for: a phone-like query is one run of digits."""
    q = q.strip()[:200]
    if _PHONE_QUERY.match(q) and sum(ch.isdigit() for ch in q) >= 3:
        return [_NON_DIGIT.sub("", q)[:MAX_TOKEN_LENGTH]]
    return list(dict.fromkeys(words(q)))[:MAX_TOKENS]


# Keeping the index current ----------------------------------------------------


def _registration_for(obj: models.Model) -> Registration | None:
    return _registry.get(getattr(type(obj), "ACCESS_TYPE", ""))


def index(obj: Any) -> None:
    """Write (or rewrite) a record's entry; a record in the trash is removed instead."""
    reg = _registration_for(obj)
    if reg is None:
        return
    if getattr(obj, "deleted_at", None) is not None:
        remove(obj)
        return
    _write(reg, [obj])


def remove(obj: Any) -> None:
    """Take a record out of the index."""
    reg = _registration_for(obj)
    if reg is not None:
        remove_ids(obj.workspace_id, reg.type, [obj.pk])


def remove_ids(workspace_id: int, kind: str, ids: Sequence[int]) -> None:
    """Take records of one type out of the index by id."""
    if not ids:
        return
    entries = SearchEntry.objects.filter(
        workspace_id=workspace_id, object_type=kind, object_id__in=ids
    )
    if connection.vendor == "sqlite":
        entry_ids = list(entries.values_list("pk", flat=True))
        _fts_delete(entry_ids)
    entries.delete()


def _write(reg: Registration, objs: Sequence[Any]) -> None:
    if not objs:
        return
    workspace_id = objs[0].workspace_id
    rows = {}
    for obj in objs:
        plain, fuzzy = _document_tokens(reg.document(obj))
        rows[obj.pk] = (getattr(obj, "owner_id", None), plain, fuzzy)
    SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                workspace_id=workspace_id,
                object_type=reg.type,
                object_id=pk,
                owner_id=owner_id,
                document=" ".join(plain),
                fuzz="" if connection.vendor == "sqlite" else " ".join(fuzzy),
            )
            for pk, (owner_id, plain, _) in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["workspace", "object_type", "object_id"],
        update_fields=["owner_id", "document", "fuzz"],
    )
    if connection.vendor != "sqlite":
        return
    ids = dict(
        SearchEntry.objects.filter(
            workspace_id=workspace_id, object_type=reg.type, object_id__in=list(rows)
        ).values_list("object_id", "pk")
    )
    _fts_delete(list(ids.values()))
    prefix = f"w{workspace_id}_"
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO core_search_fts (rowid, doc, fuzz) VALUES (%s, %s, %s)",
            [
                (
                    ids[pk],
                    " ".join(prefix + t for t in plain),
                    " ".join(prefix + t for t in fuzzy),
                )
                for pk, (_, plain, fuzzy) in rows.items()
            ],
        )


def new_entries(
    workspace_id: int, kind: str, records: Sequence[Any], entry_ids: Sequence[int]
) -> list[bulk.Insert]:
    """Prepare the entries of records that have none yet (imports), with the given ids.

    `records` need only the attributes the type's document reads, plus `pk` and
    `owner_id`; they need not be model instances. The ids come from
    `bulk.reserve_ids` inside the caller's transaction, which spares reading them
    back for the SQLite full-text table. Nothing is written: the caller runs the
    statements, perhaps on another thread.
    """
    reg = _registry.get(kind)
    if reg is None or not records:
        return []
    sqlite = connection.vendor == "sqlite"
    rows = []
    for obj in records:
        plain, fuzzy = _document_tokens(reg.document(obj))
        rows.append((obj.pk, getattr(obj, "owner_id", None), plain, fuzzy))
    statements = [
        bulk.insert(
            "core_searchentry",
            ["id", "object_id", "owner_id", "document", "fuzz"],
            [
                (eid, pk, owner_id, " ".join(p), "" if sqlite else " ".join(f))
                for eid, (pk, owner_id, p, f) in zip(entry_ids, rows, strict=True)
            ],
            constants={"workspace_id": workspace_id, "object_type": kind},
        )
    ]
    if sqlite:
        prefix = f"w{workspace_id}_"
        glue = " " + prefix
        statements.append(
            bulk.insert(
                "core_search_fts",
                ["rowid", "doc", "fuzz"],
                [
                    (
                        eid,
                        prefix + glue.join(plain) if plain else "",
                        prefix + glue.join(fuzzy) if fuzzy else "",
                    )
                    for eid, (_, _, plain, fuzzy) in zip(entry_ids, rows, strict=True)
                ],
            )
        )
    return statements


def index_many(objs: Sequence[Any]) -> None:
    """Rewrite the entries of several records of one type (none in the trash)."""
    if objs:
        reg = _registration_for(objs[0])
        if reg is not None:
            _write(reg, objs)


@contextlib.contextmanager
def bulk_writes() -> Iterator[None]:
    """Let PostgreSQL's GIN indexes take the entries of a large write (an import) in bulk.

    A GIN index first appends new entries to a pending list and merges the list into
    its tree when it passes `gin_pending_list_limit` (4 MB), sorting in `work_mem`
    (4 MB). Inside the caller's transaction a larger list and sort memory make fewer,
    larger merges, about a third cheaper at 100k records (docs/performance.md), and the
    last merge runs here before the commit, so no user's next edit pays for it and no
    search reads a long list. Only the index owner may merge, so
    another role writes as usual. No-op on SQLite; merges nothing when the block raises.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.oid FROM pg_class c WHERE c.relname = ANY(%s) "
            "AND c.relkind = 'i' AND pg_has_role(c.relowner, 'USAGE')",
            [list(GIN_INDEXES)],
        )
        owned = [oid for (oid,) in cursor.fetchall()]
        in_bulk = len(owned) == len(GIN_INDEXES)
        if in_bulk:
            # For the rest of this transaction only; its other writes are small.
            cursor.execute(
                "SELECT set_config('gin_pending_list_limit', %s, true), "
                "set_config('work_mem', %s, true)",
                [str(BULK_PENDING_KB), f"{BULK_WORK_MEM_MB}MB"],
            )
    yield
    if in_bulk:
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(i) FROM unnest(%s::oid[]) i", [owned])


def _fts_delete(entry_ids: Sequence[int]) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM core_search_fts WHERE rowid IN ({marks})", chunk)  # noqa: S608


def compact() -> None:
    """Merge SQLite's full-text segments, so deleted words no longer sit in older ones."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO core_search_fts(core_search_fts) VALUES ('optimize')")


def reindex(workspace_id: int, *, batch: int = 1000) -> int:
    """Rebuild a workspace's entries from its records; return how many were written."""
    written = 0
    for reg in registered():
        remove_ids(
            workspace_id,
            reg.type,
            list(
                SearchEntry.objects.filter(
                    workspace_id=workspace_id, object_type=reg.type
                ).values_list("object_id", flat=True)
            ),
        )
        qs = reg.model._default_manager.filter(workspace_id=workspace_id)
        if any(f.name == "deleted_at" for f in reg.model._meta.fields):
            qs = qs.filter(deleted_at__isnull=True)
        if reg.select_related:
            qs = qs.select_related(*reg.select_related)
        qs = qs.order_by("pk")
        last = 0
        while True:
            chunk = list(qs.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            _write(reg, chunk)
            written += len(chunk)
            last = chunk[-1].pk
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner may scan the table instead of the GIN indexes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE core_searchentry")
    return written


# Querying ---------------------------------------------------------------------


@dataclass
class _Candidate:
    type: str
    id: int
    document: str
    score: float = 0.0
    order: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _scope_sql(member: Membership, kinds: Sequence[str]) -> tuple[str, list[Any]]:
    """Return a WHERE fragment limiting entries to the types and owners the member may see."""
    parts: list[str] = []
    params: list[Any] = []
    for kind in kinds:
        scope = access.scope_for(member, kind, "view")
        if scope is None:
            continue
        if scope == "all":
            parts.append("(e.object_type = %s)")
            params.append(kind)
        elif scope == "team" and member.team_id is not None:
            parts.append(
                "(e.object_type = %s AND (e.owner_id = %s OR e.owner_id IN "
                '(SELECT m.user_id FROM core_membership m WHERE m."workspace_id" = %s '
                "AND m.team_id = %s AND m.is_active)))"
            )
            params += [kind, member.user_id, member.workspace_id, member.team_id]
        else:
            parts.append("(e.object_type = %s AND e.owner_id = %s)")
            params += [kind, member.user_id]
    return " OR ".join(parts), params


def _fts_phrase(prefix: str, token: str) -> str:
    # Tokens hold only letters and digits, so quoting is enough to keep FTS syntax out.
    return f'"{prefix}{token}"'


def _fts_candidates(
    member: Membership,
    tokens: list[str],
    scope: str,
    scope_params: list[Any],
    limit: int,
    *,
    fuzzy: bool,
) -> list[_Candidate]:
    """Read bounded windows of FTS5 matches, unranked: query() scores them.

    FTS5's `rank` is computed for every match before LIMIT applies: for a short
    prefix at a million records that alone cost more than the budget. Instead a
    window of whole-word matches is read (they score highest, so they must not
    depend on where they fall among thousands of prefix matches), then a window
    of prefix matches; both in entry order, which FTS5 reads without sorting.
    """
    prefix = f"w{member.workspace_id}_"
    if fuzzy:
        terms = []
        for t in tokens:
            term = f"doc : {_fts_phrase(prefix, t)} *"
            if len(t) >= FUZZY_MIN and t.isalpha():
                variants = " OR ".join(_fts_phrase(prefix, v) for v in deletions(t))
                term = f"({term} OR fuzz : ({variants}))"
            terms.append(term)
        matches = [" AND ".join(terms)]
    else:
        matches = [
            " AND ".join(f"doc : {_fts_phrase(prefix, t)}{star}" for t in tokens)
            for star in ("", " *")
        ]
    # Only fixed fragments are joined here; every value is a parameter.
    window = " ".join(
        [
            "SELECT * FROM (SELECT %s AS pass, f.rowid AS entry,",
            "e.object_type, e.object_id, e.document FROM core_search_fts f",
            "JOIN core_searchentry e ON e.id = f.rowid",
            'WHERE core_search_fts MATCH %s AND e."workspace_id" = %s AND (',
            scope,
            ") ORDER BY f.rowid LIMIT %s)",
        ]
    )
    sql = " ".join(
        [
            "SELECT object_type, object_id, document FROM (",
            " UNION ALL ".join([window] * len(matches)),
            ") ORDER BY pass, entry",
        ]
    )
    window_size = max(MATCH_WINDOW, limit)
    params: list[Any] = []
    for number, match in enumerate(matches):
        params += [number, match, member.workspace_id, *scope_params, window_size]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_Candidate(kind, pk, doc) for kind, pk, doc in cursor.fetchall()]


def _candidates(
    member: Membership, tokens: list[str], kinds: Sequence[str], limit: int, *, fuzzy: bool
) -> list[_Candidate]:
    scope, scope_params = _scope_sql(member, kinds)
    if not scope:
        return []
    if connection.vendor == "sqlite":
        return _fts_candidates(member, tokens, scope, scope_params, limit, fuzzy=fuzzy)
    return _tsvector_candidates(member, tokens, scope, scope_params, limit, fuzzy=fuzzy)


def _tsvector_candidates(
    member: Membership,
    tokens: list[str],
    scope: str,
    scope_params: list[Any],
    limit: int,
    *,
    fuzzy: bool,
) -> list[_Candidate]:
    """Read and rank bounded windows of matches on PostgreSQL: whole words, then prefixes.

    Ranking every row a one-letter prefix matches would cost more than the whole
    budget at a million records, so a window of matches is ranked. Whole-word
    matches are read in a window of their own first, as on SQLite: ts_rank does not
    prefer them, and among thousands of prefix matches the window could miss them.
    """

    def window(star: str, size: int) -> tuple[str, list[Any]]:
        conditions, params = [], []
        for t in tokens:
            condition = "to_tsvector('simple'::regconfig, e.document) @@ to_tsquery('simple', %s)"
            params.append(f"{t}{star}")
            if fuzzy and len(t) >= FUZZY_MIN and t.isalpha():
                condition = (
                    f"({condition} OR to_tsvector('simple'::regconfig, e.fuzz) "
                    "@@ to_tsquery('simple', %s))"
                )
                params.append(" | ".join(deletions(t)))
            conditions.append(condition)
        # Only fixed fragments are joined here; every value is a parameter.
        sql = " ".join(
            [
                "SELECT e.id, e.object_type, e.object_id, e.document FROM core_searchentry e",
                'WHERE e."workspace_id" = %s AND (',
                scope,
                ") AND",
                " AND ".join(conditions),
                "LIMIT %s",
            ]
        )
        return sql, [member.workspace_id, *scope_params, *params, size]

    rank_sql = "ts_rank(to_tsvector('simple'::regconfig, e.document), to_tsquery('simple', %s))"
    rank_params = [" & ".join(f"{t}:*" for t in tokens)]
    passes = (
        [(":*", RANK_WINDOW)] if fuzzy else [("", max(MATCH_WINDOW, limit)), (":*", RANK_WINDOW)]
    )
    parts, params = [], []
    for number, (star, size) in enumerate(passes):
        inner, inner_params = window(star, size)
        parts.append(
            " ".join(
                [
                    "SELECT %s AS pass, e.id, e.object_type, e.object_id, e.document,",
                    rank_sql,
                    "AS rank FROM (",
                    inner,
                    ") e",
                ]
            )
        )
        params += [number, *rank_params, *inner_params]
    sql = " ".join(
        [
            "SELECT object_type, object_id, document FROM (",
            " UNION ALL ".join(parts),
            ") c ORDER BY pass, rank DESC, id LIMIT %s",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [_Candidate(kind, pk, doc) for kind, pk, doc in cursor.fetchall()]


def _one_edit_apart(a: str, b: str) -> bool:
    """Return whether one letter wrong, missing, extra or swapped at most turns a into b."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1]
    )


def _score(tokens: list[str], document: str) -> float | None:
    """Score how well the words match a document, or None when one word does not match."""
    doc_words = document.split()
    total = 0.0
    for t in tokens:
        value = _word_score(t, doc_words)
        if value == 0.0:
            return None
        total += value
    return total


def _word_score(t: str, doc_words: list[str]) -> float:
    """Score the best match of a query word: whole word 3, prefix 2, typo 1, typo in a prefix 0.5.

    Earlier words are the record's name: among matches of one kind the first is
    preferred a little, never enough to pass a better kind, so the scan can stop
    at the first word of the best kind found.
    """
    if t in doc_words:
        return _at(3.0, doc_words.index(t))
    for position, w in enumerate(doc_words):
        if w.startswith(t):
            return _at(2.0, position)
    if len(t) < FUZZY_MIN:
        return 0.0
    for position, w in enumerate(doc_words):
        if _one_edit_apart(t, w):
            return _at(1.0, position)
    for position, w in enumerate(doc_words):
        if len(w) > len(t) and _one_edit_apart(t, w[: len(t)]):
            return _at(0.5, position)
    return 0.0


def _at(value: float, position: int) -> float:
    return value - min(position, 10) * 0.01


def _exact_candidates(
    member: Membership, q: str, kinds: Sequence[str], limit: int
) -> list[tuple[Registration, list[Any]]]:
    """Find records by exact blind-indexed value (national ID, IBAN) for members who may reveal."""
    if not _EXACT_QUERY.match(q.strip()) or sum(ch.isdigit() for ch in q) < 6:
        return []
    found = []
    for kind in kinds:
        reg = _registry[kind]
        if reg.exact is None or not access.can(member, kind, reg.exact_action):
            continue
        condition = reg.exact(member.workspace_id, q.strip())
        if condition is None:
            continue
        # The record must be one the member may reveal, not merely see.
        revealable = access.visible(member, reg.model, action=reg.exact_action)
        qs = access.visible(member, reg.model).filter(condition, pk__in=revealable.values("pk"))
        if reg.select_related:
            qs = qs.select_related(*reg.select_related)
        found.append((reg, list(qs[:limit])))
    return found


def query(
    member: Membership, q: str, types: Iterable[str] | None = None, limit: int = 20
) -> list[Hit]:
    """Return up to `limit` hits for `q` among the records the member may see, best first."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    kinds = [k for k in (types if types is not None else _registry) if k in _registry]
    kinds = [k for k in kinds if access.scope_for(member, k, "view") is not None]
    tokens = query_tokens(q)
    if not kinds or not tokens:
        return []
    ranked: dict[tuple[str, int], _Candidate] = {}
    for fuzzy in (False, True):
        for c in _candidates(member, tokens, kinds, limit * CANDIDATE_FACTOR, fuzzy=fuzzy):
            if (c.type, c.id) in ranked:
                continue
            score = _score(tokens, c.document)
            if score is None:
                continue
            c.score, c.order = score, len(ranked)
            ranked[(c.type, c.id)] = c
        if len(ranked) >= limit:
            break
    best = sorted(ranked.values(), key=lambda c: (-c.score, c.order))[: limit * 2]
    hits: list[tuple[float, int, Hit]] = []
    for reg, objs in _exact_candidates(member, q, kinds, limit):
        hits += [(10.0, -1, _hit(reg, obj)) for obj in objs]
    seen = {(h.type, h.id) for _, _, h in hits}
    for kind in kinds:
        ids = [c.id for c in best if c.type == kind and (kind, c.id) not in seen]
        if not ids:
            continue
        reg = _registry[kind]
        visible = access.visible(member, reg.model).filter(pk__in=ids)
        if reg.select_related:
            visible = visible.select_related(*reg.select_related)
        by_id = {obj.pk: obj for obj in visible}
        for c in best:
            if c.type == kind and c.id in by_id:
                hits.append((c.score, c.order, _hit(reg, by_id[c.id])))
    hits.sort(key=lambda item: (-item[0], item[1]))
    return [hit for _, _, hit in hits[:limit]]


def _hit(reg: Registration, obj: Any) -> Hit:
    return Hit(
        type=reg.type,
        id=obj.pk,
        title=reg.title(obj),
        subtitle=reg.subtitle(obj),
        url=obj.get_absolute_url(),
    )


def group(hits: Sequence[Hit]) -> list[tuple[Registration, list[Hit]]]:
    """Return hits grouped by type, in registration order, leaving out empty groups."""
    groups = [(reg, [h for h in hits if h.type == reg.type]) for reg in registered()]
    return [(reg, items) for reg, items in groups if items]

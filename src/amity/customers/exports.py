"""List exports (CSV, XLSX) and vCards: what leaves Amity as a file, always audited.

An export holds exactly the rows of the list with its current filters, within
the member's `export` scope (a Sales role exports only its own records).
Sensitive fields are never part of a list export, not even masked: a masked
value tells the reader nothing, and the plaintext belongs only in a
data-subject export (customers.privacy). Exports over SYNC_LIMIT rows are
built by the worker into settings.VAR_DIR / "exports", which is not web-served.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.core import access, audit
from amity.core.exports import csv_lines, write_xlsx
from amity.core.models import Membership
from amity.customers import columns, custom_fields, selectors
from amity.customers.fields import tag_names
from amity.customers.models import (
    Company,
    CompanyTag,
    CustomerRecord,
    CustomField,
    ExportJob,
    Person,
    PersonTag,
)

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Larger exports are not built in the request but by the worker (TESTPLAN S18).
SYNC_LIMIT = 5000
CHUNK = 2000

Column = tuple[str, Callable[[Any], Any]]


def _date(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def _contacts(items: list[dict[str, Any]] | None) -> str:
    return "; ".join(f"{e.get('value', '')} ({e.get('type', '')})" for e in items or [])


def _consent(given: bool, at: Any) -> str:
    return f"yes {_date(at)}".strip() if given else (f"no {_date(at)}".strip())


def _owner(obj: CustomerRecord) -> str:
    return obj.owner.email if obj.owner_id and obj.owner else ""


PERSON_COLUMNS: list[Column] = [
    ("ID", lambda p: p.pk),
    ("First name", lambda p: p.first_name),
    ("Last name", lambda p: p.last_name),
    ("Job title", lambda p: p.title),
    ("Company", lambda p: p.company.name if p.company and p.company.deleted_at is None else ""),
    ("Email", lambda p: p.email),
    ("Phone", lambda p: p.phone),
    ("Mobile", lambda p: p.mobile),
    ("More emails", lambda p: _contacts(p.more_emails)),
    ("More phones", lambda p: _contacts(p.more_phones)),
    ("Source", lambda p: p.source),
    ("Email consent", lambda p: _consent(p.email_consent, p.email_consent_at)),
    ("Messaging consent", lambda p: _consent(p.messaging_consent, p.messaging_consent_at)),
    ("Tags", lambda p: ", ".join(tag_names(p))),
    ("Owner", _owner),
    ("Country", lambda p: p.billing_country),
    ("Added", lambda p: _date(p.created_at)),
    ("Updated", lambda p: _date(p.updated_at)),
]
COMPANY_COLUMNS: list[Column] = [
    ("ID", lambda c: c.pk),
    ("Name", lambda c: c.name),
    ("Domain", lambda c: c.domain),
    ("Industry", lambda c: c.industry),
    ("Website", lambda c: c.website),
    ("Email", lambda c: c.email),
    ("Phone", lambda c: c.phone),
    ("Size", lambda c: c.size),
    ("Lifecycle stage", lambda c: c.lifecycle_stage),
    ("Tags", lambda c: ", ".join(tag_names(c))),
    ("Owner", _owner),
    ("Country", lambda c: c.billing_country),
    ("Added", lambda c: _date(c.created_at)),
    ("Updated", lambda c: _date(c.updated_at)),
]
KINDS: dict[str, tuple[type[Person] | type[Company], list[Column], dict[str, list[str]]]] = {
    "person": (Person, PERSON_COLUMNS, selectors.PERSON_SORTS),
    "company": (Company, COMPANY_COLUMNS, selectors.COMPANY_SORTS),
}


def export_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def query(member: Membership, kind: str, params: selectors.ListParams) -> QuerySet[Any]:
    """Return the rows of the list with these filters that the member may export, sorted."""
    access.require(member, kind, "export")
    model, _fields, sorts = KINDS[kind]
    if model is Person:
        qs: QuerySet[Any] = selectors.people_query(member, params, action="export")
    else:
        qs = selectors.companies_query(member, params, action="export")
    return qs.order_by(*sorts.get(params.sort, sorts["name"]))


def _custom_columns(kind: str, workspace_id: int) -> list[CustomField]:
    """Return the custom fields exported: live ones, never sensitive ones."""
    return [
        d
        for d in custom_fields.definitions(workspace_id, kind)
        if d.type != CustomField.Type.SENSITIVE
    ]


@dataclass(frozen=True)
class Chosen:
    """The list's chosen columns, as keys (`cols`) and the headers the screen gave them."""

    keys: tuple[str, ...]
    headers: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"keys": list(self.keys), "headers": list(self.headers)}

    @classmethod
    def from_json(cls, data: Any) -> Chosen | None:
        if not isinstance(data, dict):
            return None
        return cls(tuple(map(str, data.get("keys", ()))), tuple(map(str, data.get("headers", ()))))


def chosen_columns(kind: str, workspace_id: int, raw: str) -> Chosen | None:
    """Return the columns `raw` ("email,cf_tier") picks as the list would, or None for none.

    Sensitive custom fields are no list column, so they never reach a file this
    way either (not even masked).
    """
    if not any(raw.split(",")):
        return None
    extra = columns.custom(custom_fields.definitions(workspace_id, kind))
    picked = columns.chosen(kind, columns.parse(kind, raw, extra), extra)
    # Headers in the member's language now: a background job has no request to ask.
    headers = (str(_("Name")), *(str(c.label) for c in picked))
    return Chosen(tuple(c.key for c in picked), headers)


def _chosen_rows(
    kind: str, qs: QuerySet[Any], workspace_id: int, chosen: Chosen
) -> Iterator[list[Any]]:
    extra = columns.custom(custom_fields.definitions(workspace_id, kind))
    picked = columns.chosen(kind, chosen.keys, extra)
    for obj in qs.iterator(chunk_size=CHUNK):
        yield [str(obj), *(columns.as_text(c, c.value(obj)) for c in picked)]


def rows(
    kind: str, qs: QuerySet[Any], workspace_id: int, extra: list[CustomField] | None = None
) -> Iterator[list[Any]]:
    fixed = KINDS[kind][1]
    extra = _custom_columns(kind, workspace_id) if extra is None else extra
    link = PersonTag if kind == "person" else CompanyTag
    tags = Prefetch(
        "tag_links",
        queryset=link.objects.filter(workspace_id=workspace_id).select_related("tag"),
    )
    for obj in qs.prefetch_related(tags).iterator(chunk_size=CHUNK):
        custom = obj.custom or {}
        yield [value(obj) for _name, value in fixed] + [
            custom_fields.display(d, custom.get(d.key)) for d in extra
        ]


def header(kind: str, workspace_id: int, extra: list[CustomField] | None = None) -> list[str]:
    names = [name for name, _value in KINDS[kind][1]]
    extra = _custom_columns(kind, workspace_id) if extra is None else extra
    return names + [d.label for d in extra]


def filters_of(params: selectors.ListParams) -> dict[str, Any]:
    """Return the filters worth recording (no paging cursors)."""
    data = asdict(params)
    return {k: v for k, v in data.items() if k not in ("after", "before", "size") and v}


def params_from(data: dict[str, Any]) -> selectors.ListParams:
    allowed = {"q", "owner", "company", "country", "sort", "tag", "stage", "tag_mode"}
    values = {k: v for k, v in data.items() if k in allowed}
    custom = data.get("custom") or ()
    values["custom"] = tuple((str(p[0]), str(p[1])) for p in custom if len(p) == 2)
    values["tags"] = tuple(str(t) for t in data.get("tags") or ())
    return selectors.ListParams(**values)


def file_name(kind: str, fmt: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return f"{'people' if kind == 'person' else 'companies'}-{stamp}.{fmt}"


def _content(
    kind: str, qs: QuerySet[Any], workspace_id: int, chosen: Chosen | None
) -> tuple[list[str], Iterator[list[Any]]]:
    """Return the header and the rows: the chosen columns, or every field when none."""
    if chosen is not None:
        return list(chosen.headers), _chosen_rows(kind, qs, workspace_id, chosen)
    extra = _custom_columns(kind, workspace_id)
    return header(kind, workspace_id, extra), rows(kind, qs, workspace_id, extra)


def render(
    kind: str, fmt: str, qs: QuerySet[Any], workspace_id: int, chosen: Chosen | None = None
) -> tuple[bytes, int]:
    """Return the file's bytes and how many rows it holds."""
    head, body = _content(kind, qs, workspace_id, chosen)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        count = write_xlsx(buffer, head, body)
        return buffer.getvalue(), count
    lines = [*csv_lines([head])]
    count = 0
    for line in csv_lines(body):
        lines.append(line)
        count += 1
    return "".join(lines).encode(), count


def record_export(
    member: Membership,
    kind: str,
    fmt: str,
    params: selectors.ListParams,
    count: int,
    chosen: Chosen | None = None,
) -> None:
    changes: dict[str, Any] = {"format": fmt, "count": count, "filters": filters_of(params)}
    if chosen is not None:
        changes["columns"] = list(chosen.keys)
    audit.record(
        audit.Action.EXPORT,
        workspace=member.workspace_id,
        actor=member.user,
        object_type=kind,
        object_repr=f"{kind} list",
        changes=changes,
    )


def export_now(
    member: Membership,
    kind: str,
    fmt: str,
    params: selectors.ListParams,
    chosen: Chosen | None = None,
) -> tuple[bytes, int]:
    """Build the export in the request (callers check `is_large` first) and audit it."""
    data, count = render(kind, fmt, query(member, kind, params), member.workspace_id, chosen)
    record_export(member, kind, fmt, params, count, chosen)
    return data, count


def is_large(member: Membership, kind: str, params: selectors.ListParams) -> bool:
    return query(member, kind, params)[: SYNC_LIMIT + 1].count() > SYNC_LIMIT


def start_job(
    member: Membership,
    kind: str,
    fmt: str,
    params: selectors.ListParams,
    chosen: Chosen | None = None,
) -> ExportJob:
    """Queue a background export; the worker builds the file and audits it."""
    access.require(member, kind, "export")
    stored = filters_of(params)
    if chosen is not None:
        stored["columns"] = chosen.as_json()
    job = ExportJob.objects.create(
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        kind=kind,
        format=fmt,
        params=stored,
    )
    from amity.customers.tasks import build_export

    transaction.on_commit(lambda: build_export.enqueue(job.pk, member.workspace_id))
    return job


def run_job(job_id: int, workspace_id: int) -> str:
    """Build a queued export's file as its owner would see it now; return its status."""
    job = ExportJob.objects.select_related("user").get(pk=job_id, workspace_id=workspace_id)
    if job.status == ExportJob.Status.DONE:
        return job.status
    member = (
        Membership.objects.select_related("role", "user", "workspace")
        .filter(workspace_id=workspace_id, user_id=job.user_id, is_active=True)
        .first()
    )
    params = params_from(job.params)
    if member is None or not access.can(member, job.kind, "export"):
        ExportJob.objects.filter(pk=job.pk, workspace_id=workspace_id).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now()
        )
        return ExportJob.Status.FAILED
    qs = query(member, job.kind, params)
    total = qs.count()
    ExportJob.objects.filter(pk=job.pk, workspace_id=workspace_id).update(
        status=ExportJob.Status.RUNNING, total=total
    )
    name = f"{workspace_id}-{job.pk}-{file_name(job.kind, job.format)}"
    path = export_dir() / name
    done = 0

    def counted(source: Iterable[list[Any]]) -> Iterator[list[Any]]:
        nonlocal done
        for row in source:
            yield row
            done += 1
            if done % CHUNK == 0:
                ExportJob.objects.filter(pk=job.pk, workspace_id=workspace_id).update(done=done)

    chosen = Chosen.from_json(job.params.get("columns"))
    head, body = _content(job.kind, qs, job.workspace_id, chosen)
    try:
        with open(path, "wb") as handle:
            if job.format == "xlsx":
                write_xlsx(handle, head, counted(body))
            else:
                handle.write("".join(csv_lines([head])).encode())
                for line in csv_lines(counted(body)):
                    handle.write(line.encode())
    except Exception:
        # Never leave a job "running" forever, nor half a file behind.
        path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, workspace_id=workspace_id).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        finished = ExportJob.objects.filter(pk=job.pk, workspace_id=workspace_id).update(
            status=ExportJob.Status.DONE, done=done, file_name=name, finished_at=timezone.now()
        )
        if finished == 0:  # the job was discarded meanwhile (an erasure): drop the file
            path.unlink(missing_ok=True)
            return ExportJob.Status.FAILED
        record_export(member, job.kind, job.format, params, done, chosen)
    return ExportJob.Status.DONE


def job_path(job: ExportJob) -> Path | None:
    if job.status != ExportJob.Status.DONE or not job.file_name:
        return None
    path = export_dir() / Path(job.file_name).name
    return path if path.is_file() else None


def record_download(member: Membership, job: ExportJob) -> None:
    audit.record(
        audit.Action.DOWNLOAD,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="export",
        object_id=job.pk,
        object_repr=str(job),
        changes={"format": job.format, "count": job.done},
    )


def discard_person_exports(workspace_id: int) -> int:
    """Delete prepared people exports of a workspace (they may hold an erased person)."""
    removed = 0
    jobs = ExportJob.objects.filter(workspace_id=workspace_id, kind="person")
    for job in jobs:
        if job.file_name:
            (export_dir() / Path(job.file_name).name).unlink(missing_ok=True)
        removed += 1
    jobs.delete()
    return removed


# vCard (RFC 6350) -------------------------------------------------------------


def _escape(value: str) -> str:
    """Escape a text value: backslash, comma, semicolon and newlines (RFC 6350 §3.4)."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (§3.2)."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def vcard(person: Person) -> str:
    """Return the person as a vCard 4.0 (text/vcard)."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"UID:urn:uuid:{person.uid}"]
    lines.append(f"FN:{_escape(person.full_name)}")
    lines.append(f"N:{_escape(person.last_name)};{_escape(person.first_name)};;;")
    if person.company_id and person.company and person.company.deleted_at is None:
        lines.append(f"ORG:{_escape(person.company.name)}")
    if person.title:
        lines.append(f"TITLE:{_escape(person.title)}")
    if person.email:
        lines.append(f"EMAIL;TYPE=work;PREF=1:{_escape(person.email)}")
    if person.alt_email:
        lines.append(f"EMAIL:{_escape(person.alt_email)}")
    if person.phone:
        lines.append(f"TEL;VALUE=uri;TYPE=work,voice:tel:{_escape(person.phone)}")
    if person.mobile:
        lines.append(f"TEL;VALUE=uri;TYPE=cell:tel:{_escape(person.mobile)}")
    for kind, label in (("billing", "x-billing"), ("shipping", "x-shipping")):
        parts = [
            getattr(person, f"{kind}_{name}")
            for name in ("street", "city", "region", "postal_code", "country")
        ]
        if any(parts):
            street, city, region, code, country = (_escape(p) for p in parts)
            lines.append(f"ADR;TYPE={label}:;;{street};{city};{region};{code};{country}")
    lines.append(f"REV:{person.updated_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def record_vcard(member: Membership, person: Person) -> None:
    audit.record(
        audit.Action.EXPORT,
        workspace=member.workspace_id,
        actor=member.user,
        obj=person,
        changes={"format": "vcard"},
    )


def attachment(data: bytes | str, content_type: str, name: str) -> HttpResponse:
    """Return a file download that browsers never render or cache."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response

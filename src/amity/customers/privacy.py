"""Data-subject rights: export everything about a person, or erase them (GDPR 15, 17, 20).

Each module holding data about people registers a section here, in its
AppConfig.ready(), without this app knowing it:

    privacy.register("notes", export_fn, erase_fn)

`export_fn(person) -> list[dict]` returns the section's rows (JSON-friendly
values); `erase_fn(person, by) -> int` anonymises or deletes them and returns
how many it touched. Erase functions must be idempotent: `amity privacy
reapply-erasures` calls them again after a backup is restored.

Both rights need the `privacy` action on the person (admins have it; a role
may be granted `person: {privacy: ...}`). The export also holds the decrypted
sensitive values, so it needs `reveal` too and writes one REVEAL per field.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from amity.core import access, audit, search
from amity.core.exports import safe_cell
from amity.core.models import AuditEvent, Membership, User, Workspace
from amity.customers import custom_fields, duplicates, fields, services
from amity.customers.models import ADDRESS_FIELDS, ErasureRecord, MergeRecord, Person

ERASED_NAME = "Erased person"
ExportFn = Callable[[Person], list[dict[str, Any]]]
EraseFn = Callable[[Person, User | None], int]


@dataclass(frozen=True)
class Section:
    name: str
    export: ExportFn
    erase: EraseFn


_registry: dict[str, Section] = {}


def register(name: str, export_fn: ExportFn, erase_fn: EraseFn) -> None:
    """Add (or replace) a section of personal data for exports and erasures."""
    _registry[name] = Section(name, export_fn, erase_fn)


def sections() -> list[Section]:
    return list(_registry.values())


# Exports -------------------------------------------------------------------------


def _json(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


def _person_rows(person: Person) -> list[dict[str, Any]]:
    row: dict[str, Any] = {"id": person.pk, "uid": str(person.uid)}
    for name in ("first_name", "last_name", "title", "email", "alt_email", "phone", "mobile"):
        row[name] = getattr(person, name)
    for name in ("email_type", "phone_type", "source", "email_consent", "messaging_consent"):
        row[name] = getattr(person, name)
    for name in ("email_consent_at", "messaging_consent_at"):
        row[name] = _json(getattr(person, name))
    row["more_emails"] = person.more_emails
    row["more_phones"] = person.more_phones
    row["tags"] = fields.tag_names(person)
    custom = dict(person.custom or {})
    for key, secret in custom_fields.secrets_of(person).items():
        custom[key] = custom_fields.unseal(secret) if secret.value else ""
    row["custom"] = custom
    row["company"] = person.company.name if person.company_id and person.company else ""
    row["company_id"] = person.company_id
    for name in ADDRESS_FIELDS:
        row[name] = getattr(person, name)
    for name in services.SENSITIVE_FIELDS:
        row[name] = services.plaintext(person, name)
    row["owner"] = person.owner.email if person.owner_id and person.owner else ""
    for name in ("created_at", "updated_at", "deleted_at", "version"):
        row[name] = _json(getattr(person, name))
    row["import_job"] = person.import_job_id
    return [row]


def _history_rows(person: Person) -> list[dict[str, Any]]:
    events = AuditEvent.objects.filter(
        workspace_id=person.workspace_id, object_type="person", object_id=str(person.pk)
    ).order_by("at", "seq")
    return [
        {
            "at": e.at.isoformat(),
            "action": e.action,
            "by": e.actor_label,
            "changes": e.changes,
            "reason": e.reason,
        }
        for e in events.iterator(chunk_size=2000)
    ]


def _section_csv(rows: list[dict[str, Any]]) -> str:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            cells.append(safe_cell(value))
        writer.writerow(cells)
    return buffer.getvalue()


README = """Everything {workspace} holds about one person (data-subject access request).

Made on {at} for the record #{pk}.

person.json   every section below, machine-readable (UTF-8 JSON)
<section>.csv one CSV file (RFC 4180, UTF-8) per section:
{listing}

"person" holds the record itself, including the decrypted sensitive fields.
"access_history" lists who viewed, revealed, changed or exported the record.
Cells that a spreadsheet would read as a formula start with an apostrophe.
"""


def collect(person: Person) -> dict[str, list[dict[str, Any]]]:
    """Return every registered section's rows about the person."""
    return {s.name: [_clean(r) for r in s.export(person)] for s in sections()}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _json(v) for k, v in row.items()}


@transaction.atomic
def export_person(member: Membership, person: Person) -> bytes:
    """Return a ZIP of everything about the person; audit the reveals and the export."""
    access.require(member, "person", "privacy", person)
    access.require(member, "person", "reveal", person)
    data = collect(person)
    revealed = [n for n in services.SENSITIVE_FIELDS if getattr(person, n)]
    revealed += [
        custom_fields.error_key(key)
        for key, row in custom_fields.secrets_of(person).items()
        if row.value
    ]
    for name in revealed:
        audit.record(
            audit.Action.REVEAL,
            workspace=member.workspace_id,
            actor=member.user,
            obj=person,
            changes={"field": name},
            reason="data-subject export",
        )
    audit.record(
        audit.Action.EXPORT,
        workspace=member.workspace_id,
        actor=member.user,
        obj=person,
        changes={"format": "zip", "sections": {k: len(v) for k, v in data.items()}},
        reason="data-subject export",
    )
    workspace = Workspace.objects.only("name").get(pk=member.workspace_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        document = {
            "exported_at": timezone.now().isoformat(),
            "workspace": workspace.name,
            "sections": data,
        }
        archive.writestr(
            "person.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
        )
        for name, rows in data.items():
            archive.writestr(f"{name}.csv", _section_csv(rows))
        listing = "\n".join(f"  {name}.csv ({len(rows)} rows)" for name, rows in data.items())
        archive.writestr(
            "README.txt",
            README.format(
                workspace=workspace.name,
                at=timezone.now().isoformat(timespec="seconds"),
                pk=person.pk,
                listing=listing,
            ),
        )
    return buffer.getvalue()


# Erasure --------------------------------------------------------------------------

ERASED_VALUES: dict[str, Any] = {
    "first_name": "",
    "last_name": ERASED_NAME,
    "title": "",
    "company_id": None,
    "email": "",
    "alt_email": "",
    "phone": "",
    "mobile": "",
    "more_emails": [],
    "more_phones": [],
    "source": "",
    "custom": {},
    **dict.fromkeys(ADDRESS_FIELDS, ""),
    **{name: "" for n in services.SENSITIVE_FIELDS for name in (n, f"{n}_bidx")},
}


def _is_erased(person: Person) -> bool:
    return all(getattr(person, name) == value for name, value in ERASED_VALUES.items())


def _anonymise(person: Person) -> None:
    Person.objects.filter(pk=person.pk, workspace_id=person.workspace_id).update(
        **ERASED_VALUES, version=F("version") + 1, updated_at=timezone.now()
    )
    for name, value in ERASED_VALUES.items():
        setattr(person, name, value)
    fields.forget_tags(person.workspace_id, "person", [person.pk])
    custom_fields.forget_secrets(person.workspace_id, "person", [person.pk])
    fields.set_cached_tags(person, [])
    person.version += 1
    # The search index held the old name, emails and phones: rewrite it, then
    # merge the full-text segments so the old words leave the database pages.
    search.index(person)
    search.compact()
    # Blocking keys hold the old emails, phones and name; merge records the old values.
    duplicates.forget_records(person.workspace_id, "person", [person.pk])
    MergeRecord.objects.filter(workspace_id=person.workspace_id, object_type="person").filter(
        Q(survivor_id=person.pk) | Q(loser_id=person.pk)
    ).delete()


def _erase_sections(person: Person, by: User | None) -> dict[str, int]:
    return {s.name: int(s.erase(person, by)) for s in sections()}


@transaction.atomic
def erase_person(member: Membership, person: Person, confirm: str, reason: str = "") -> bool:
    """Anonymise the person and every registered section; return False if already erased.

    `confirm` must repeat the person's full name. The audit event and the
    ErasureRecord hold no personal data, only the record's id and uid.
    """
    access.require(member, "person", "privacy", person)
    record = ErasureRecord.objects.filter(
        workspace_id=member.workspace_id, person_uid=person.uid
    ).first()
    if record is not None and _is_erased(person):
        return False
    if record is None and confirm.strip() != person.full_name:
        raise ValidationError({"confirm": "Type the person's full name exactly to confirm."})
    _anonymise(person)
    counts = _erase_sections(person, member.user)
    if record is None:
        ErasureRecord.objects.create(
            workspace_id=member.workspace_id,
            person_uid=person.uid,
            by_id=member.user_id,
            reason=reason.strip()[:200],
        )
    audit.record(
        audit.Action.DELETE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="person",
        object_id=person.pk,
        object_repr=ERASED_NAME,
        changes={"erased": True, "sections": counts},
        reason="data-subject erasure",
    )
    return True


def reapply_erasures() -> int:
    """Erase again everyone in the ledger who is back (a restored backup); return how many."""
    anonymised = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        ledger = ErasureRecord.objects.filter(workspace_id=workspace_id).values_list(
            "person_uid", flat=True
        )
        for uid in ledger.iterator():
            with transaction.atomic():
                person = (
                    Person.objects.select_for_update()
                    .filter(workspace_id=workspace_id, uid=uid)
                    .first()
                )
                if person is None:
                    continue
                was_erased = _is_erased(person)
                if not was_erased:
                    _anonymise(person)
                counts = _erase_sections(person, None)
                if was_erased:
                    continue
                anonymised += 1
                audit.record(
                    audit.Action.DELETE,
                    workspace=workspace_id,
                    actor_label="amity privacy reapply-erasures",
                    object_type="person",
                    object_id=person.pk,
                    object_repr=ERASED_NAME,
                    changes={"erased": True, "reapplied": True, "sections": counts},
                    reason="data-subject erasure reapplied",
                )
    return anonymised


# The customers app's own sections -----------------------------------------------


def _erase_person_row(person: Person, by: User | None) -> int:
    """The row itself is anonymised by erase_person; report it as one."""
    return 1


def _erase_history(person: Person, by: User | None) -> int:
    """The audit log is append-only and hash-chained; its rows are not rewritten."""
    return 0


def _export_nothing(person: Person) -> list[dict[str, Any]]:
    return []


def _erase_exports(person: Person, by: User | None) -> int:
    from amity.customers.exports import discard_person_exports

    return discard_person_exports(person.workspace_id)


def _erase_notifications(person: Person, by: User | None) -> int:
    """Colleagues' notifications about the person name them: keep the link, drop the name."""
    from amity.core.models import Notification

    return Notification.objects.filter(
        workspace_id=person.workspace_id, url=person.get_absolute_url()
    ).update(text=f"A notification about an {ERASED_NAME.lower()}")


def register_own_sections() -> None:
    register("person", _person_rows, _erase_person_row)
    register("notifications", _export_nothing, _erase_notifications)
    register("access_history", _history_rows, _erase_history)
    register("prepared_exports", _export_nothing, _erase_exports)

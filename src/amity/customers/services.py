"""Verbs that change companies and people. Views and the API both call these."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from amity.core import access, audit, crypto, search
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import custom_fields, duplicates, fields, timeline, write_hooks
from amity.customers.models import ADDRESS_FIELDS, Company, CustomerRecord, Person

R = TypeVar("R", bound=CustomerRecord)

COMPANY_FIELDS = [
    "name",
    "domain",
    "industry",
    "website",
    "phone",
    "email",
    "size",
    "lifecycle_stage",
    "owner",
    *ADDRESS_FIELDS,
]
PERSON_FIELDS = [
    "first_name",
    "last_name",
    "title",
    "company",
    "email",
    "alt_email",
    "phone",
    "mobile",
    "email_type",
    "phone_type",
    "source",
    "email_consent",
    "messaging_consent",
    "owner",
    *ADDRESS_FIELDS,
]
# Written through other inputs: lists of emails/phones, consent flags, custom values.
DERIVED_FIELDS = {
    "company": ["custom"],
    "person": ["more_emails", "more_phones", "email_consent_at", "messaging_consent_at", "custom"],
}
# Inputs that are not columns: "emails"/"phones" (lists with types and a primary),
# "tags" (names) and "custom" (values keyed by custom field key).
VIRTUAL_FIELDS = {"company": ("tags", "custom"), "person": ("emails", "phones", "tags", "custom")}
PHONE_FIELDS = {"company": ("phone",), "person": ("phone", "mobile")}
SENSITIVE_FIELDS = Person.SENSITIVE_FIELDS
TRASH_DAYS = 30
CHANGED = "•••• (changed)"


def _fields_of(model: type[CustomerRecord]) -> list[str]:
    return COMPANY_FIELDS if model is Company else PERSON_FIELDS


def _attname(model: type[CustomerRecord], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.attname


def _snapshot(obj: CustomerRecord, tags: list[str] | None = None) -> dict[str, Any]:
    """Return every stored value of the record by field name (custom values flattened)."""
    snap: dict[str, Any] = {
        name: getattr(obj, _attname(type(obj), name)) for name in _fields_of(type(obj))
    }
    for name in DERIVED_FIELDS[obj.ACCESS_TYPE]:
        if name != "custom":
            snap[name] = getattr(obj, name)
    for key, value in sorted((obj.custom or {}).items()):
        snap[custom_fields.error_key(key)] = value
    if tags is not None:
        snap["tags"] = ", ".join(tags)
    return snap


def _columns(obj: CustomerRecord) -> dict[str, Any]:
    model = type(obj)
    names = [*_fields_of(model), *DERIVED_FIELDS[obj.ACCESS_TYPE]]
    return {_attname(model, n): getattr(obj, _attname(model, n)) for n in names}


def _check_references(
    member: Membership, obj: CustomerRecord, before: dict[str, Any] | None = None
) -> None:
    """Check the owner and company point inside the workspace; on update, only changed ones.

    A record keeps working when its owner left or its company went to the trash.
    """
    before = before or {}
    errors: dict[str, str] = {}
    if (
        obj.owner_id is not None
        and obj.owner_id != before.get("owner")
        and not Membership.objects.filter(
            workspace_id=member.workspace_id, user_id=obj.owner_id, is_active=True
        ).exists()
    ):
        errors["owner"] = "Choose a member of this workspace."
    company_id = getattr(obj, "company_id", None)
    if (
        company_id is not None
        and company_id != before.get("company")
        and not access.visible(member, Company).filter(pk=company_id).exists()
    ):
        errors["company"] = "Choose a company in this workspace."
    if errors:
        raise ValidationError(errors)


class Extras:
    """What a write carries besides columns: tags to link, sensitive custom values to seal."""

    def __init__(self) -> None:
        self.tags: list[str] | None = None
        self.secrets: dict[str, str | None] = {}


def _apply(
    member: Membership, obj: CustomerRecord, data: dict[str, Any], *, creating: bool
) -> Extras:
    """Set the record's columns from `data`, normalised and checked; return the extras."""
    kind = obj.ACCESS_TYPE
    allowed = set(_fields_of(type(obj)))
    virtual = VIRTUAL_FIELDS[kind]
    for name in data:
        if name not in allowed and name not in virtual:
            raise ValidationError({name: "This field cannot be set."})
    for pair in (("emails", "email"), ("phones", "phone")):
        if all(name in data for name in pair):
            raise ValidationError({pair[0]: f"Send either {pair[0]} or {pair[1]}, not both."})
    before = {name: getattr(obj, _attname(type(obj), name)) for name in allowed}
    for name, value in data.items():
        if name in allowed:
            setattr(obj, _attname(type(obj), name), value)
    region = fields.region_of(obj)
    for name in PHONE_FIELDS[kind]:
        # Only numbers entered now are checked, so an old record stays editable.
        if creating or getattr(obj, name) != before[name]:
            setattr(obj, name, fields.e164(getattr(obj, name), region, name))
    extras = Extras()
    if isinstance(obj, Person):
        if "emails" in data:
            obj.email, obj.email_type, obj.more_emails = fields.contact_list(
                data["emails"], "emails", region
            )
        if "phones" in data:
            obj.phone, obj.phone_type, obj.more_phones = fields.contact_list(
                data["phones"], "phones", region
            )
        now = timezone.now()
        for flag in ("email_consent", "messaging_consent"):
            value = getattr(obj, flag)
            if not isinstance(value, bool):
                raise ValidationError({flag: "Send true or false."})
            # The time consent was given or withdrawn, for proof (GDPR Art. 7(1)).
            if value != (before[flag] if not creating else False):
                setattr(obj, f"{flag}_at", now)
    if "tags" in data:
        extras.tags = fields.clean_tag_names(data["tags"])
    if "custom" in data or creating:
        obj.custom, extras.secrets = custom_fields.apply(
            member, obj, data.get("custom") or {}, creating=creating
        )
    return extras


def _save_extras(obj: CustomerRecord, extras: Extras) -> dict[str, Any]:
    """Link tags and seal sensitive custom values; return their masked audit entries."""
    if extras.tags is not None:
        fields.set_tags(obj, extras.tags)
    return {k: [CHANGED, v] for k, v in custom_fields.store_secrets(obj, extras.secrets).items()}


def _seal_sensitive(
    member: Membership, person: Person, sensitive: dict[str, str | None]
) -> dict[str, str]:
    """Set sealed values and blind indexes; return the audit entries for what changed.

    Only roles that may reveal a sensitive field may write it (TESTPLAN S3).
    """
    changes: dict[str, str] = {}
    for name, value in sensitive.items():
        if name not in SENSITIVE_FIELDS:
            raise ValidationError({name: "Not a sensitive field."})
        if value is None:
            continue
        if not access.can(member, "person", "reveal", person):
            raise ValidationError({name: "Your role may not set this field."})
        value = value.strip()
        if value and len(value) > 64:
            raise ValidationError({name: "Use at most 64 characters."})
        if value:
            sealed = crypto.seal(person.workspace_id, "person", name, str(person.uid), value)
            index = crypto.blind_index(person.workspace_id, name, value)
        else:
            sealed, index = "", ""
        if index != getattr(person, f"{name}_bidx"):
            changes[name] = CHANGED
        setattr(person, name, sealed)
        setattr(person, f"{name}_bidx", index)
    return changes


def _audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [_jsonable(old), _jsonable(new)]
        for name, (old, new) in audit.diff(before, after).items()
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return str(value)


_SUMMARIES = {
    "create": "Created",
    "trash": "Moved to the trash",
    "restore": "Restored from the trash",
}


def _timeline(
    member: Membership, obj: CustomerRecord, action: str, changes: dict[str, Any] | None = None
) -> None:
    """Write a change entry on the record's timeline (sensitive values arrive masked)."""
    assert isinstance(obj, Company | Person)
    data: dict[str, Any] = {"action": action}
    if changes:
        data["changes"] = changes
        summary = "Changed " + ", ".join(changes)
    else:
        summary = _SUMMARIES[action]
    timeline.add(member, obj, timeline.Kind.CHANGE, summary, data)


class DuplicatesFound(Exception):
    """A create refused because the record looks like existing ones (the caller may insist)."""

    def __init__(self, candidates: list[Any]) -> None:
        super().__init__("This record looks like one that exists already.")
        self.candidates = candidates


def _refuse_duplicates(member: Membership, obj: CustomerRecord) -> None:
    found = duplicates.candidates(member, obj, duplicates.CREATE_THRESHOLD)
    if found:
        raise DuplicatesFound(found)


@transaction.atomic
def create_company(
    member: Membership, data: dict[str, Any], *, allow_duplicate: bool = True
) -> Company:
    access.require(member, "company", "create")
    company = Company(workspace_id=member.workspace_id, created_by_id=member.user_id)
    data = {"owner": member.user_id, **data}
    extras = _apply(member, company, data, creating=True)
    company.full_clean(exclude=["workspace", "created_by", "deleted_by"], validate_unique=False)
    _check_references(member, company)
    if not allow_duplicate:
        _refuse_duplicates(member, company)
    company.save()
    secret_changes = _save_extras(company, extras)
    search.index(company)
    duplicates.after_write(company)
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=company,
        changes={
            **_audit_changes({}, _snapshot(company, extras.tags or [])),
            **{k: [None, v[1]] for k, v in secret_changes.items()},
        },
    )
    _timeline(member, company, "create")
    return company


@transaction.atomic
def create_person(
    member: Membership,
    data: dict[str, Any],
    sensitive: dict[str, str | None] | None = None,
    *,
    allow_duplicate: bool = True,
) -> Person:
    access.require(member, "person", "create")
    person = Person(workspace_id=member.workspace_id, created_by_id=member.user_id)
    extras = _apply(member, person, {"owner": member.user_id, **data}, creating=True)
    # The company is checked within the workspace by _check_references, not by full_clean.
    person.full_clean(
        exclude=["workspace", "created_by", "deleted_by", "company", *SENSITIVE_FIELDS],
        validate_unique=False,
    )
    _check_references(member, person)
    if not allow_duplicate:
        _refuse_duplicates(member, person)
    sealed_changes = _seal_sensitive(member, person, sensitive or {})
    person.save()
    sealed_changes.update({k: v[1] for k, v in _save_extras(person, extras).items()})
    search.index(person)
    duplicates.after_write(person)
    write_hooks.after_write(person)
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=person,
        changes={
            **_audit_changes({}, _snapshot(person, extras.tags or [])),
            **{k: [None, v] for k, v in sealed_changes.items()},
        },
    )
    _timeline(member, person, "create")
    return person


def _update(
    member: Membership,
    obj: R,
    data: dict[str, Any],
    expected_version: int,
    sensitive: dict[str, str | None] | None = None,
) -> R:
    access.require(member, obj.ACCESS_TYPE, "edit", obj)
    model = type(obj)
    tags_before = fields.tag_names(obj) if "tags" in data else None
    before = _snapshot(obj, tags_before)
    extras = _apply(member, obj, data, creating=False)
    exclude = ["workspace", "created_by", "deleted_by"]
    if isinstance(obj, Person):
        exclude += ["company", *SENSITIVE_FIELDS]
    obj.full_clean(exclude=exclude, validate_unique=False)
    _check_references(member, obj, before)
    had = {name: bool(getattr(obj, name, "")) for name in SENSITIVE_FIELDS}
    sealed_changes = (
        _seal_sensitive(member, obj, sensitive or {}) if isinstance(obj, Person) else {}
    )
    after = _snapshot(obj, extras.tags)
    changes: dict[str, Any] = _audit_changes(before, after)
    changes.update({k: [CHANGED if had[k] else None, v] for k, v in sealed_changes.items()})
    columns = _columns(obj)
    if isinstance(obj, Person):
        for name in SENSITIVE_FIELDS:
            columns[name] = getattr(obj, name)
            columns[f"{name}_bidx"] = getattr(obj, f"{name}_bidx")
    now = timezone.now()
    updated = model._default_manager.filter(
        pk=obj.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        deleted_at__isnull=True,
    ).update(**columns, version=F("version") + 1, updated_at=now)
    if updated == 0:
        current = model._default_manager.filter(pk=obj.pk, workspace_id=member.workspace_id).first()
        raise VersionConflict(current)
    obj.version = expected_version + 1
    obj.updated_at = now
    changes.update(_save_extras(obj, extras))
    search.index(obj)
    duplicates.after_write(obj)
    write_hooks.after_write(obj)
    if changes:
        audit.record(
            audit.Action.UPDATE,
            workspace=member.workspace_id,
            actor=member.user,
            obj=obj,
            changes=changes,
        )
        _timeline(member, obj, "update", changes)
    return obj


@transaction.atomic
def update_company(
    member: Membership, company: Company, data: dict[str, Any], *, expected_version: int
) -> Company:
    """Apply changes if the company is still at `expected_version`; else raise VersionConflict."""
    return _update(member, company, data, expected_version)


@transaction.atomic
def update_person(
    member: Membership,
    person: Person,
    data: dict[str, Any],
    *,
    expected_version: int,
    sensitive: dict[str, str | None] | None = None,
) -> Person:
    """Apply changes if the person is still at `expected_version`; else raise VersionConflict."""
    return _update(member, person, data, expected_version, sensitive)


@transaction.atomic
def trash(member: Membership, obj: CustomerRecord, *, expected_version: int | None = None) -> None:
    """Move a record to the trash, where it can be restored for 30 days."""
    access.require(member, obj.ACCESS_TYPE, "delete", obj)
    qs = type(obj)._default_manager.filter(
        pk=obj.pk, workspace_id=member.workspace_id, deleted_at__isnull=True
    )
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    now = timezone.now()
    if qs.update(deleted_at=now, deleted_by_id=member.user_id, version=F("version") + 1) == 0:
        raise VersionConflict(
            type(obj)._default_manager.filter(pk=obj.pk, workspace_id=member.workspace_id).first()
        )
    obj.deleted_at = now
    search.remove(obj)
    duplicates.hide_records(member.workspace_id, obj.ACCESS_TYPE, [obj.pk])
    audit.record(audit.Action.DELETE, workspace=member.workspace_id, actor=member.user, obj=obj)
    _timeline(member, obj, "trash")


@transaction.atomic
def restore(member: Membership, obj: CustomerRecord) -> None:
    access.require(member, obj.ACCESS_TYPE, "delete", obj)
    restored = (
        type(obj)
        ._default_manager.filter(
            pk=obj.pk, workspace_id=member.workspace_id, deleted_at__isnull=False
        )
        .update(deleted_at=None, deleted_by=None, version=F("version") + 1)
    )
    if restored == 0:
        return  # restored meanwhile by someone else: nothing more to record
    obj.deleted_at = None
    search.index(obj)
    duplicates.after_write(obj)
    audit.record(audit.Action.RESTORE, workspace=member.workspace_id, actor=member.user, obj=obj)
    _timeline(member, obj, "restore")


def purge_expired_trash(workspace_id: int, *, now: Any = None) -> int:
    """Delete for good what has been in the trash longer than 30 days."""
    cutoff = (now or timezone.now()) - timedelta(days=TRASH_DAYS)
    removed = 0
    for model in (Person, Company):
        # One transaction with the rows locked, so a restore cannot slip in between.
        with transaction.atomic():
            expired = model._default_manager.filter(
                workspace_id=workspace_id, deleted_at__lt=cutoff
            )
            ids = list(expired.select_for_update().values_list("pk", flat=True))
            search.remove_ids(workspace_id, model.ACCESS_TYPE, ids)
            timeline.forget(workspace_id, model.ACCESS_TYPE, ids)
            fields.forget_tags(workspace_id, model.ACCESS_TYPE, ids)
            custom_fields.forget_secrets(workspace_id, model.ACCESS_TYPE, ids)
            duplicates.forget_records(workspace_id, model.ACCESS_TYPE, ids)
            count, _ = expired.filter(pk__in=ids).delete()
            removed += count
    return removed


def purge_all_expired_trash() -> int:
    """Empty the expired part of every workspace's trash (the worker runs this hourly)."""
    from amity.core.models import Workspace

    return sum(purge_expired_trash(pk) for pk in Workspace.objects.values_list("pk", flat=True))


def record_view(member: Membership, obj: CustomerRecord) -> None:
    """Note in the audit log that the member opened this record."""
    audit.record(audit.Action.VIEW, workspace=member.workspace_id, actor=member.user, obj=obj)


def plaintext(person: Person, field: str) -> str:
    """Return a sensitive field decrypted, or "" when empty. Callers check and audit access."""
    token = getattr(person, field)
    if not token:
        return ""
    return crypto.unseal(person.workspace_id, "person", field, str(person.uid), token)


def masked(person: Person, field: str) -> str:
    """Return the field masked for display (`•••• 4821`), or "" when empty."""
    try:
        value = plaintext(person, field)
    except crypto.DecryptionError:
        return crypto.MASK
    return crypto.mask(value) if value else ""


@transaction.atomic
def reveal(member: Membership, person: Person, fields: list[str], reason: str) -> dict[str, str]:
    """Return the plaintext of sensitive fields, writing one audit event per field revealed."""
    access.require(member, "person", "reveal", person)
    reason = reason.strip()
    if len(reason) < 3:
        raise ValidationError({"reason": "Say why you need to see this (at least 3 characters)."})
    sealed_custom = {
        custom_fields.error_key(d.key)
        for d in custom_fields.definitions(person.workspace_id, "person")
        if d.type == custom_fields.Type.SENSITIVE
    }
    unknown = [f for f in fields if f not in SENSITIVE_FIELDS and f not in sealed_custom]
    if unknown or not fields:
        choices = [*SENSITIVE_FIELDS, *sorted(sealed_custom)]
        raise ValidationError({"fields": f"Choose from: {', '.join(choices)}."})
    secrets = custom_fields.secrets_of(person) if sealed_custom & set(fields) else {}
    values: dict[str, str] = {}
    for name in dict.fromkeys(fields):
        if name in sealed_custom:
            row = secrets.get(name.removeprefix("custom."))
            values[name] = custom_fields.unseal(row) if row is not None and row.value else ""
        else:
            values[name] = plaintext(person, name)
        audit.record(
            audit.Action.REVEAL,
            workspace=member.workspace_id,
            actor=member.user,
            obj=person,
            changes={"field": name},
            reason=reason,
        )
    return values

"""Custom fields: the definitions a workspace admin manages, and checking values against them.

Values live in the record's `custom` JSON column keyed by the field key (one column,
no joins), except sensitive text, which is sealed in `CustomSecret` rows so key
rotation re-encrypts it like any other sealed column. Archiving a field hides it
and keeps its values; a new label keeps them too, since values are keyed by `key`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import F

from amity.core import access, audit, crypto
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.models import Company, CustomerRecord, CustomField, CustomSecret, Person

Type = CustomField.Type
MODELS: dict[str, type[Company] | type[Person]] = {"company": Company, "person": Person}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_OPTIONS = 100
TEXT_LIMITS = {Type.TEXT: 500, Type.LONG_TEXT: 10_000, Type.SENSITIVE: 200}
DEFINITION_FIELDS = ("label", "type", "options", "required", "help_text", "position", "archived")
CHANGED = "•••• (changed)"
# Table name bound into sensitive values' associated data (with the CustomSecret row uid).
SEALED_TABLE = "custom"


def error_key(key: str) -> str:
    return f"custom.{key}"


def definitions(workspace_id: int, target: str, *, archived: bool = False) -> list[CustomField]:
    """Return a record type's field definitions in display order (live ones unless `archived`)."""
    qs = CustomField.objects.filter(workspace_id=workspace_id, target=target)
    if not archived:
        qs = qs.filter(archived=False)
    return list(qs.order_by("position", "id"))


# Definitions ------------------------------------------------------------------


def _clean_definition(field: CustomField) -> None:
    errors: dict[str, str] = {}
    if not KEY.match(field.key or ""):
        errors["key"] = "Use lower-case letters, digits and _, starting with a letter (max 40)."
    if field.type not in Type.values:
        errors["type"] = f"Choose from: {', '.join(Type.values)}."
    if field.target not in MODELS:
        errors["target"] = "Choose company or person."
    label = (field.label or "").strip()
    if not label or len(label) > 100:
        errors["label"] = "Give a label of 1 to 100 characters."
    field.label = label
    options = field.options
    if field.type in (Type.SELECT, Type.MULTI_SELECT):
        if (
            not isinstance(options, list)
            or not options
            or len(options) > MAX_OPTIONS
            or not all(isinstance(o, str) and 0 < len(o.strip()) <= 100 for o in options)
            or len({o.strip() for o in options}) != len(options)
        ):
            errors["options"] = f"Give 1 to {MAX_OPTIONS} distinct options of up to 100 characters."
        else:
            field.options = [o.strip() for o in options]
    elif options:
        errors["options"] = "Only select and multi-select fields have options."
    if len(field.help_text or "") > 200:
        errors["help_text"] = "Use at most 200 characters."
    if errors:
        raise ValidationError(errors)


def _holds_values(workspace_id: int, target: str, key: str) -> bool:
    model = MODELS[target]
    return (
        model._default_manager.filter(workspace_id=workspace_id, custom__has_key=key).exists()
        or CustomSecret.objects.filter(workspace_id=workspace_id, target=target, key=key).exists()
    )


def _audit(member: Membership, action: str, field: CustomField, changes: dict[str, Any]) -> None:
    audit.record(
        action, workspace=member.workspace_id, actor=member.user, obj=field, changes=changes
    )


def _snapshot(field: CustomField) -> dict[str, Any]:
    return {name: getattr(field, name) for name in ("key", "target", *DEFINITION_FIELDS)}


@transaction.atomic
def create_definition(member: Membership, data: dict[str, Any]) -> CustomField:
    access.require(member, "custom_field", "create")
    allowed = {"key", "target", *DEFINITION_FIELDS}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    field = CustomField(workspace_id=member.workspace_id, **data)
    _clean_definition(field)
    if CustomField.objects.filter(
        workspace_id=member.workspace_id, target=field.target, key=field.key
    ).exists():
        raise ValidationError({"key": "A field with this key exists already."})
    if _holds_values(member.workspace_id, field.target, field.key):
        raise ValidationError(
            {"key": "Records still hold values of a deleted field with this key."}
        )
    field.save()
    _audit(member, audit.Action.CREATE, field, audit.diff({}, _snapshot(field)))
    return field


@transaction.atomic
def update_definition(
    member: Membership, field: CustomField, data: dict[str, Any], *, expected_version: int
) -> CustomField:
    """Change a definition; the key, record type and value type stay as they are."""
    access.require(member, "custom_field", "edit")
    fixed = {"key", "target", "type"} & set(data)
    unknown = set(data) - set(DEFINITION_FIELDS)
    if fixed:
        raise ValidationError(dict.fromkeys(sorted(fixed), "This cannot change once created."))
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))
    before = _snapshot(field)
    for name, value in data.items():
        setattr(field, name, value)
    _clean_definition(field)
    if field.type in (Type.SELECT, Type.MULTI_SELECT) and "options" in data:
        removed = set(before["options"]) - set(field.options)
        if removed and _holds_any(member.workspace_id, field, removed):
            raise ValidationError({"options": "Records still use an option you removed."})
    after = _snapshot(field)
    updated = CustomField.objects.filter(
        pk=field.pk, workspace_id=member.workspace_id, version=expected_version
    ).update(**{n: after[n] for n in DEFINITION_FIELDS}, version=F("version") + 1)
    if not updated:
        raise VersionConflict(
            CustomField.objects.filter(pk=field.pk, workspace_id=member.workspace_id).first()
        )
    field.version = expected_version + 1
    _audit(member, audit.Action.UPDATE, field, audit.diff(before, after))
    return field


def _holds_any(workspace_id: int, field: CustomField, options: set[str]) -> bool:
    model = MODELS[field.target]
    qs = model._default_manager.filter(workspace_id=workspace_id)
    if field.type == Type.SELECT:
        return qs.filter(**{f"custom__{field.key}__in": sorted(options)}).exists()
    return any(
        set(values or []) & options
        for values in qs.filter(custom__has_key=field.key).values_list(
            f"custom__{field.key}", flat=True
        )
    )


@transaction.atomic
def delete_definition(member: Membership, field: CustomField) -> None:
    """Remove a definition. Values stay in the records (hidden), so its key stays taken."""
    access.require(member, "custom_field", "delete")
    _audit(member, audit.Action.DELETE, field, {"key": [field.key, None]})
    CustomField.objects.filter(pk=field.pk, workspace_id=member.workspace_id).delete()


# Values -----------------------------------------------------------------------


def _text(value: Any, limit: int, key: str) -> str:
    if not isinstance(value, str):
        raise ValidationError({error_key(key): "Enter text."})
    text = str(value).strip()
    if len(text) > limit or "\x00" in text:
        raise ValidationError({error_key(key): f"Use at most {limit} characters."})
    return text


def _number(value: Any, key: str) -> int | float:
    if isinstance(value, bool):
        raise ValidationError({error_key(key): "Enter a number."})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({error_key(key): "Enter a number."}) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise ValidationError({error_key(key): "Enter a number below 10^15."})
    return int(number) if number == number.to_integral_value() else float(number)


def _money(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != {"amount", "currency"}:
        raise ValidationError({error_key(key): "Send an amount and a currency."})
    try:
        amount = Decimal(str(value["amount"]).strip())
    except InvalidOperation:
        raise ValidationError({error_key(key): "Enter the amount as a number."}) from None
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** 15:
        raise ValidationError({error_key(key): "Enter an amount below 10^15."})
    currency = str(value["currency"]).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValidationError({error_key(key): "Use a three-letter currency code, such as EUR."})
    return {"amount": str(amount.quantize(Decimal("0.01"))), "currency": currency}


def _date(value: Any, key: str) -> str:
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValidationError({error_key(key): "Enter a date as YYYY-MM-DD."}) from None


def clean_value(field: CustomField, value: Any) -> Any:
    """Return the stored form of one value, or None when it is empty."""
    key, kind = field.key, field.type
    if value is None or value == "" or value == []:
        return None
    if kind in TEXT_LIMITS:
        return _text(value, TEXT_LIMITS[Type(kind)], key) or None
    if kind == Type.NUMBER:
        return _number(value, key)
    if kind == Type.MONEY:
        return _money(value, key)
    if kind == Type.DATE:
        return _date(value, key)
    if kind == Type.CHECKBOX:
        if not isinstance(value, bool):
            raise ValidationError({error_key(key): "Send true or false."})
        return value
    if kind == Type.SELECT:
        if not isinstance(value, str) or value not in field.options:
            raise ValidationError({error_key(key): f"Choose from: {', '.join(field.options)}."})
        return value
    if kind == Type.MULTI_SELECT:
        if not isinstance(value, list) or any(v not in field.options for v in value):
            raise ValidationError({error_key(key): f"Choose from: {', '.join(field.options)}."})
        return [o for o in field.options if o in value] or None
    if kind == Type.URL:
        text = _text(value, 300, key)
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ValidationError({error_key(key): "Enter a valid web address."}) from None
        return text
    if kind == Type.EMAIL:
        text = _text(value, 254, key)
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError({error_key(key): "Enter a valid email address."}) from None
        return text
    raise ValidationError({error_key(key): "Unknown field type."})


def apply(
    member: Membership,
    obj: CustomerRecord,
    values: dict[str, Any],
    *,
    creating: bool,
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Check `values` against the definitions; return (new `custom` JSON, sensitive values).

    Keys not sent keep their value. A sensitive value needs the `reveal` grant to be
    written (TESTPLAN S3); None in the second result clears one.
    """
    if not isinstance(values, dict):
        raise ValidationError({"custom": "Send an object keyed by field key."})
    target = obj.ACCESS_TYPE
    fields = {f.key: f for f in definitions(member.workspace_id, target)}
    custom = dict(obj.custom or {})
    secrets: dict[str, str | None] = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        field = fields.get(key)
        if field is None:
            errors[error_key(str(key))] = ["No such custom field."]
            continue
        try:
            cleaned = clean_value(field, value)
            if cleaned is None and field.required:
                raise ValidationError({error_key(key): "This field is required."})
            if field.type == Type.SENSITIVE:
                if not access.can(member, target, "reveal", None if creating else obj):
                    raise ValidationError({error_key(key): "Your role may not set this field."})
                secrets[key] = cleaned
            elif cleaned is None:
                custom.pop(key, None)
            else:
                custom[key] = cleaned
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if creating:
        for key, field in fields.items():
            if field.required and key not in values and field.type != Type.SENSITIVE:
                errors.setdefault(error_key(key), ["This field is required."])
    if errors:
        raise ValidationError(errors)
    return custom, secrets


def store_secrets(obj: CustomerRecord, secrets: dict[str, str | None]) -> dict[str, str]:
    """Seal and save sensitive values; return the masked audit entries for what changed."""
    changes: dict[str, str] = {}
    target = obj.ACCESS_TYPE
    for key, value in secrets.items():
        row = CustomSecret.objects.filter(
            workspace_id=obj.workspace_id, target=target, record_id=obj.pk, key=key
        ).first()
        if value is None:
            if row is not None and row.value:
                CustomSecret.objects.filter(pk=row.pk, workspace_id=obj.workspace_id).delete()
                changes[error_key(key)] = CHANGED
            continue
        if row is None:
            row = CustomSecret(workspace_id=obj.workspace_id, target=target, record_id=obj.pk)
            row.key = key
        elif row.value and unseal(row) == value:
            continue
        row.value = crypto.seal(obj.workspace_id, SEALED_TABLE, "value", str(row.uid), value)
        row.save()
        changes[error_key(key)] = CHANGED
    return changes


def unseal(row: CustomSecret) -> str:
    return crypto.unseal(row.workspace_id, SEALED_TABLE, "value", str(row.uid), row.value)


def secrets_of(obj: CustomerRecord) -> dict[str, CustomSecret]:
    return {
        row.key: row
        for row in CustomSecret.objects.filter(
            workspace_id=obj.workspace_id, target=obj.ACCESS_TYPE, record_id=obj.pk
        )
    }


def masked_secrets(obj: CustomerRecord) -> dict[str, str]:
    """Return every sensitive custom value of the record masked (`•••• 4821`)."""
    out = {}
    for key, row in secrets_of(obj).items():
        try:
            out[key] = crypto.mask(unseal(row)) if row.value else ""
        except crypto.DecryptionError:
            out[key] = crypto.MASK
    return out


@transaction.atomic
def reveal(
    member: Membership, obj: CustomerRecord, fields: list[str], reason: str
) -> dict[str, str]:
    """Return the plaintext of sensitive custom values (`custom.<key>`), one audit event each.

    People's built-in sensitive fields go through services.reveal, which also takes these.
    """
    access.require(member, obj.ACCESS_TYPE, "reveal", obj)
    reason = reason.strip()
    if len(reason) < 3:
        raise ValidationError({"reason": "Say why you need to see this (at least 3 characters)."})
    sealed = {
        error_key(d.key)
        for d in definitions(obj.workspace_id, obj.ACCESS_TYPE)
        if d.type == Type.SENSITIVE
    }
    if not fields or any(f not in sealed for f in fields):
        raise ValidationError({"fields": f"Choose from: {', '.join(sorted(sealed))}."})
    secrets = secrets_of(obj)
    values: dict[str, str] = {}
    for name in dict.fromkeys(fields):
        row = secrets.get(name.removeprefix("custom."))
        values[name] = unseal(row) if row is not None and row.value else ""
        audit.record(
            audit.Action.REVEAL,
            workspace=member.workspace_id,
            actor=member.user,
            obj=obj,
            changes={"field": name},
            reason=reason,
        )
    return values


def forget_secrets(workspace_id: int, target: str, ids: list[int]) -> None:
    """Destroy the sealed custom values of records purged or erased."""
    CustomSecret.objects.filter(
        workspace_id=workspace_id, target=target, record_id__in=ids
    ).delete()


def display(field: CustomField, value: Any) -> str:
    """Return a stored value as text for screens and exports."""
    if value is None or value == "":
        return ""
    if field.type == Type.MONEY and isinstance(value, dict):
        return f"{value.get('amount', '')} {value.get('currency', '')}"
    if field.type == Type.MULTI_SELECT and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field.type == Type.CHECKBOX:
        return "✓" if value else "✗"
    return str(value)

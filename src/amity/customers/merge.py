"""Merging two duplicate companies or people, and undoing a merge for 30 days.

Generic on purpose, so fields and modules added later take part without edits here:

- The fields to choose between are the model's editable concrete fields
  (`mergeable_fields`), minus bookkeeping; sensitive ones (`SENSITIVE_FIELDS`)
  are re-sealed for the survivor without being shown. Sensitive custom fields
  take part as "custom.<key>": their values live in CustomSecret rows, so the
  loser's is sealed again for the survivor's row and the rows as they were are
  kept (sealed) in MergeRecord.before["custom_secrets"] for undo.
- The related rows that move to the survivor are every foreign key, in any
  installed model, that points at the merged model (`relations`), found through
  `_meta`. A row that would break a unique constraint on the survivor (a tag
  both already carry) stays with the loser. A module whose rows point at a
  record another way (a type and an id) registers them with
  `register_relation(model, field, type_field=...)`; one that must not move
  registers `register_relation(model, field, skip=True)`. Call from AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.core import access, audit, crypto, search
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import custom_fields, duplicates, timeline
from amity.customers.models import (
    Company,
    CustomerRecord,
    CustomField,
    CustomSecret,
    MergeRecord,
    Person,
)

UNDO_DAYS = 30
SURVIVOR, LOSER = "survivor", "loser"
BOOKKEEPING = frozenset(
    {
        "id",
        "workspace",
        "uid",
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "deleted_at",
        "deleted_by",
        "merged_into",
    }
)
MODELS: dict[str, type[Company] | type[Person]] = {"person": Person, "company": Company}
# The key in MergeRecord.before holding the sealed custom values as they were.
CUSTOM_SECRETS = "custom_secrets"


class MergeRefused(Exception):
    """A merge or undo that cannot be done safely; the message says why."""


@dataclass(frozen=True)
class Relation:
    """Rows of `model` whose `field` holds the id of a merged record."""

    model: type[models.Model]
    field: str  # the column's attname, e.g. "person_id"
    type_field: str = ""  # for (type, id) pairs: the column naming the record's type

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field}"


_registered: dict[str, list[Relation]] = {}
_skipped: set[tuple[type[models.Model], str]] = set()


def register_relation(
    model: type[models.Model],
    field: str,
    *,
    target: type[CustomerRecord] | None = None,
    type_field: str = "",
    skip: bool = False,
) -> None:
    """Say how rows of `model` follow a merged record.

    skip=True: never move `field` (a foreign key found automatically).
    type_field: `field` holds an id of a record whose type ("person"/"company")
    is in `type_field`; such rows move for merges of that type (`target` is not needed).
    Otherwise `target` names the merged model for a plain integer column.
    """
    attname = _attname(model, field)
    if skip:
        _skipped.add((model, attname))
        return
    kinds = list(MODELS) if type_field else [target.ACCESS_TYPE if target else ""]
    for kind in kinds:
        relation = Relation(model, attname, type_field)
        found = _registered.setdefault(kind, [])
        if relation not in found:
            found.append(relation)


def _attname(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "attname", name))


def relations(model: type[CustomerRecord]) -> list[Relation]:
    """Return every relation whose rows move from the loser to the survivor."""
    found: list[Relation] = []
    for other in apps.get_models(include_auto_created=True):
        for field in other._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model is model
                and (field.many_to_one or field.one_to_one)
                and field.name != "merged_into"
                and (other, field.attname) not in _skipped
            ):
                found.append(Relation(other, field.attname))
    found += [r for r in _registered.get(model.ACCESS_TYPE, []) if r not in found]
    return found


def _has_workspace(model: type[models.Model]) -> bool:
    return any(f.name == "workspace" for f in model._meta.concrete_fields)


def _unique_sets(model: type[models.Model], attname: str) -> list[list[str]]:
    """Return the other columns of each unique constraint `attname` takes part in."""
    sets: list[tuple[str, ...]] = [tuple(t) for t in model._meta.unique_together]
    sets += [
        tuple(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    result = []
    for names in sets:
        columns = [_attname(model, n) for n in names]
        if attname in columns:
            result.append([c for c in columns if c != attname])
    field = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
    if field is not None and field.unique:
        result.append([])
    return result


def _rows(relation: Relation, workspace_id: int, kind: str, record_id: int) -> Any:
    qs = relation.model._base_manager.filter(**{relation.field: record_id})
    if relation.type_field:
        qs = qs.filter(**{relation.type_field: kind})
    if _has_workspace(relation.model):
        qs = qs.filter(workspace_id=workspace_id)
    return qs


def _move(
    relation: Relation, workspace_id: int, kind: str, source: int, target: int, ids: Any = None
) -> list[Any]:
    """Point `relation`'s rows from `source` to `target`; return the ids moved."""
    qs = _rows(relation, workspace_id, kind, source)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    for others in _unique_sets(relation.model, relation.field):
        clash = _rows(relation, workspace_id, kind, target)
        clash = clash.filter(**{name: OuterRef(name) for name in others})
        qs = qs.exclude(Exists(clash))
    moved = list(qs.values_list("pk", flat=True))
    if moved:
        update = relation.model._base_manager.filter(pk__in=moved)
        if _has_workspace(relation.model):
            update = update.filter(workspace_id=workspace_id)
        update.update(**{relation.field: target})
    return moved


# Fields ---------------------------------------------------------------------


def sensitive_fields(model: type[CustomerRecord]) -> tuple[str, ...]:
    return tuple(getattr(model, "SENSITIVE_FIELDS", ()))


def mergeable_fields(model: type[CustomerRecord]) -> list[models.Field[Any, Any]]:
    """Return the fields a merge chooses between: editable, not bookkeeping, no blind indexes."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable
        and not f.primary_key
        and f.name not in BOOKKEEPING
        and not f.name.endswith("_bidx")
    ]


def _columns(model: type[CustomerRecord]) -> list[str]:
    """Return the columns a merge may change on the survivor (with blind indexes)."""
    names = [f.attname for f in mergeable_fields(model)]
    names += [f"{n}_bidx" for n in sensitive_fields(model) if f"{n}_bidx" in _all_columns(model)]
    return names


def _all_columns(model: type[CustomerRecord]) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def may_take_sensitive(member: Membership, loser: CustomerRecord) -> bool:
    """Only roles that may reveal a sensitive value may write one (TESTPLAN S3)."""
    return access.can(member, loser.ACCESS_TYPE, "reveal", loser)


def default_choices(
    survivor: CustomerRecord, loser: CustomerRecord, member: Membership | None = None
) -> dict[str, str]:
    """Keep the survivor's value, or the loser's where the survivor has none.

    A sensitive value stays the survivor's for a member who may not reveal it.
    """
    sensitive = sensitive_fields(type(survivor))
    take_sensitive = member is None or may_take_sensitive(member, loser)
    choices = {}
    for field in mergeable_fields(type(survivor)):
        mine, theirs = getattr(survivor, field.attname), getattr(loser, field.attname)
        take = is_empty(mine) and not is_empty(theirs)
        if field.name in sensitive and not take_sensitive:
            take = False
        choices[field.name] = LOSER if take else SURVIVOR
    if not secret_definitions(survivor):
        return choices
    mine_sealed, theirs_sealed = _sealed_values(survivor), _sealed_values(loser)
    for name in secret_definitions(survivor):
        key = name.removeprefix("custom.")
        take = not mine_sealed.get(key) and bool(theirs_sealed.get(key)) and take_sensitive
        choices[name] = LOSER if take else SURVIVOR
    return choices


# Sensitive custom values ------------------------------------------------------


def secret_definitions(record: CustomerRecord) -> dict[str, CustomField]:
    """Return the record type's live sensitive custom fields by choice name ("custom.<key>")."""
    return {
        custom_fields.error_key(d.key): d
        for d in custom_fields.definitions(record.workspace_id, record.ACCESS_TYPE)
        if d.type == CustomField.Type.SENSITIVE
    }


def _sealed_values(record: CustomerRecord) -> dict[str, str]:
    return {key: row.value for key, row in custom_fields.secrets_of(record).items()}


def _row_state(row: CustomSecret | None) -> dict[str, str] | None:
    """Return a CustomSecret row as kept for undo: its uid and its value, still sealed."""
    return None if row is None else {"uid": str(row.uid), "value": row.value}


def _take_secret(survivor: CustomerRecord, loser: CustomerRecord, key: str) -> dict[str, Any]:
    """Give the survivor the loser's sensitive custom value; return both rows as they were.

    The value is sealed with the row's uid in its associated data, so the loser's
    value is unsealed and sealed again for the survivor's row (never shown).
    """
    target = survivor.ACCESS_TYPE
    mine = custom_fields.secrets_of(survivor).get(key)
    theirs = custom_fields.secrets_of(loser).get(key)
    state = {SURVIVOR: _row_state(mine), LOSER: _row_state(theirs)}
    if theirs is None or not theirs.value:
        if mine is not None:
            CustomSecret.objects.filter(pk=mine.pk, workspace_id=survivor.workspace_id).delete()
        return state
    plaintext = custom_fields.unseal(theirs)
    row = mine or CustomSecret(
        workspace_id=survivor.workspace_id, target=target, record_id=survivor.pk, key=key
    )
    row.value = crypto.seal(
        survivor.workspace_id, custom_fields.SEALED_TABLE, "value", str(row.uid), plaintext
    )
    row.save()
    return state


def _restore_secrets(model: type[CustomerRecord], workspace_id: int, record: MergeRecord) -> None:
    """Put back both records' CustomSecret rows exactly as they were before the merge."""
    kind = model.ACCESS_TYPE
    for key, state in (record.before.get(CUSTOM_SECRETS) or {}).items():
        for side, record_id in ((SURVIVOR, record.survivor_id), (LOSER, record.loser_id)):
            CustomSecret.objects.filter(
                workspace_id=workspace_id, target=kind, record_id=record_id, key=key
            ).delete()
            kept = state.get(side)
            if kept is not None:
                CustomSecret.objects.create(
                    workspace_id=workspace_id,
                    target=kind,
                    record_id=record_id,
                    key=key,
                    uid=kept["uid"],
                    value=kept["value"],
                )


def _mask(model: type[CustomerRecord], name: str, value: Any) -> Any:
    if name in sensitive_fields(model):
        return crypto.MASK if value else ""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


# Merge ----------------------------------------------------------------------


def _lock(model: type[CustomerRecord], workspace_id: int, pk: int) -> Any:
    return (
        model._default_manager.select_for_update()
        .filter(workspace_id=workspace_id, pk=pk, deleted_at__isnull=True)
        .first()
    )


@transaction.atomic
def merge(
    member: Membership,
    survivor: CustomerRecord,
    loser: CustomerRecord,
    choices: dict[str, str],
    *,
    survivor_version: int,
    loser_version: int,
) -> MergeRecord:
    """Merge `loser` into `survivor`: chosen values, every related row, then trash the loser.

    Needs edit on the survivor and delete on the loser; both must still be at the
    versions the member saw (else VersionConflict).
    """
    model = type(survivor)
    kind = model.ACCESS_TYPE
    if type(loser) is not model:
        raise ValidationError({"loser": _("Merge records of the same kind.")})
    if loser.pk == survivor.pk:
        raise ValidationError({"loser": _("Choose another record to merge.")})
    access.require(member, kind, "edit", survivor)
    access.require(member, kind, "delete", loser)
    fields = {f.name: f for f in mergeable_fields(model)}
    secrets = secret_definitions(survivor)
    unknown = sorted(set(choices) - set(fields) - set(secrets))
    if unknown:
        raise ValidationError({name: _("This field cannot be merged.") for name in unknown})
    if any(v not in (SURVIVOR, LOSER) for v in choices.values()):
        raise ValidationError({"fields": _('Choose "survivor" or "loser" for each field.')})
    locked_survivor = _lock(model, member.workspace_id, survivor.pk)
    locked_loser = _lock(model, member.workspace_id, loser.pk)
    if locked_survivor is None or locked_survivor.version != survivor_version:
        raise VersionConflict(locked_survivor)
    if locked_loser is None or locked_loser.version != loser_version:
        raise VersionConflict(locked_loser)
    survivor, loser = locked_survivor, locked_loser
    sensitive = {*sensitive_fields(model), *secrets}
    taken = [name for name, side in choices.items() if side == LOSER]
    if any(name in sensitive for name in taken) and not may_take_sensitive(member, loser):
        raise ValidationError(
            {n: _("Your role may not set this field.") for n in taken if n in sensitive}
        )

    before = {column: getattr(survivor, column) for column in _columns(model)}
    changes: dict[str, list[Any]] = {}
    sealed_before: dict[str, Any] = {}
    for name in taken:
        if name in secrets:
            key = secrets[name].key
            state = _take_secret(survivor, loser, key)
            sealed_before[key] = state
            had, gets = (bool((state[side] or {}).get("value")) for side in (SURVIVOR, LOSER))
            if had or gets:
                changes[name] = [crypto.MASK if had else "", crypto.MASK if gets else ""]
            continue
        field = fields[name]
        old, new = getattr(survivor, field.attname), getattr(loser, field.attname)
        if name in sensitive:
            new = _reseal(survivor, loser, name)
            setattr(survivor, f"{name}_bidx", getattr(loser, f"{name}_bidx"))
        setattr(survivor, field.attname, new)
        if old != new:
            changes[name] = [_mask(model, name, old), _mask(model, name, new)]
    now = timezone.now()
    columns = {column: getattr(survivor, column) for column in _columns(model)}
    model._default_manager.filter(pk=survivor.pk, workspace_id=member.workspace_id).update(
        **columns, version=F("version") + 1, updated_at=now
    )
    survivor.version += 1
    survivor.updated_at = now

    moved: dict[str, list[Any]] = {}
    for relation in relations(model):
        ids = _move(relation, member.workspace_id, kind, loser.pk, survivor.pk)
        if ids:
            moved[relation.label] = ids
            _rekey(relation, member.workspace_id, ids)

    model._default_manager.filter(pk=loser.pk, workspace_id=member.workspace_id).update(
        deleted_at=now,
        deleted_by_id=member.user_id,
        merged_into_id=survivor.pk,
        version=F("version") + 1,
    )
    loser.deleted_at = now
    search.remove(loser)
    search.index(_reload(model, survivor))
    duplicates.forget_records(member.workspace_id, kind, [loser.pk])
    duplicates.after_write(survivor)
    record = MergeRecord.objects.create(
        workspace_id=member.workspace_id,
        object_type=kind,
        survivor_id=survivor.pk,
        loser_id=loser.pk,
        survivor_repr=str(survivor)[:200],
        loser_repr=str(loser)[:200],
        by_id=member.user_id,
        created_at=now,
        expires_at=now + timedelta(days=UNDO_DAYS),
        survivor_version=survivor.version,
        loser_version=loser.version + 1,
        choices={name: choices.get(name, SURVIVOR) for name in [*fields, *secrets]},
        before={**before, CUSTOM_SECRETS: sealed_before} if sealed_before else before,
        moved=moved,
    )
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=survivor,
        changes={
            "merge": {
                "id": record.pk,
                "loser": loser.pk,
                "loser_name": record.loser_repr,
                "choices": record.choices,
                "moved": {label: len(ids) for label, ids in moved.items()},
            },
            **changes,
        },
        reason="merge",
    )
    assert isinstance(survivor, Company | Person)
    timeline.add(
        member,
        survivor,
        timeline.Kind.CHANGE,
        _("Merged %(name)s into this record") % {"name": record.loser_repr},
        {"action": "merge", "merge": record.pk},
    )
    return record


def _rekey(relation: Relation, workspace_id: int, ids: list[Any]) -> None:
    """Moved people carry their company in a duplicate key: rewrite their keys."""
    for model in MODELS.values():
        if relation.model is model and ids:
            duplicates.write_keys(
                list(model._base_manager.filter(workspace_id=workspace_id, pk__in=ids))
            )


def _reload(model: type[CustomerRecord], record: CustomerRecord) -> Any:
    return model._default_manager.get(pk=record.pk, workspace_id=record.workspace_id)


def _reseal(survivor: CustomerRecord, loser: CustomerRecord, name: str) -> str:
    """Return the loser's sealed value sealed again for the survivor (never shown)."""
    token = getattr(loser, name)
    if not token:
        return ""
    kind = survivor.ACCESS_TYPE
    value = crypto.unseal(loser.workspace_id, kind, name, str(loser.uid), token)
    return crypto.seal(survivor.workspace_id, kind, name, str(survivor.uid), value)


# Undo -----------------------------------------------------------------------


def get_merge(member: Membership, pk: Any) -> MergeRecord:
    """Return a merge whose survivor the member may see; Http404 otherwise."""
    try:
        record = MergeRecord.objects.select_related("by").get(
            pk=int(pk), workspace_id=member.workspace_id
        )
    except (MergeRecord.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    model = MODELS.get(record.object_type)
    if model is None or not access.visible(member, model).filter(pk=record.survivor_id).exists():
        raise Http404
    return record


def undo_problem(record: MergeRecord, survivor: Any, loser: Any) -> str:
    """Return why this merge cannot be undone safely, or "" when it can."""
    if record.undone_at is not None:
        return _("This merge was already undone.")
    if record.expires_at <= timezone.now():
        return _("A merge can be undone for %(days)s days; this one is older.") % {
            "days": UNDO_DAYS
        }
    if survivor is None:
        return _("The record merged into is gone or in the trash.")
    if survivor.version != record.survivor_version:
        return _(
            "%(name)s changed after the merge; undoing would overwrite those changes. "
            "Change it by hand instead."
        ) % {"name": survivor}
    if loser is None or loser.deleted_at is None or loser.merged_into_id != survivor.pk:
        return _("The merged record was restored, erased or purged since.")
    if loser.version != record.loser_version:
        return _("The merged record changed since the merge.")
    return ""


@transaction.atomic
def undo(member: Membership, record: MergeRecord) -> Company | Person:
    """Reverse a merge: the loser back from the trash, its rows back, the survivor's values back.

    Raises MergeRefused when the records changed since in a way undo cannot reverse safely.
    """
    model = MODELS[record.object_type]
    kind = model.ACCESS_TYPE
    ws = member.workspace_id
    locked = MergeRecord.objects.select_for_update().get(pk=record.pk, workspace_id=ws)
    survivor = _lock(model, ws, record.survivor_id)
    loser = (
        model._default_manager.select_for_update()
        .filter(workspace_id=ws, pk=record.loser_id)
        .first()
    )
    if survivor is None:
        raise Http404
    access.require(member, kind, "edit", survivor)
    if loser is not None:
        access.require(member, kind, "delete", loser)
    problem = undo_problem(locked, survivor, loser)
    if problem:
        raise MergeRefused(problem)
    assert loser is not None
    before = _decode(model, locked.before)
    now = timezone.now()
    model._default_manager.filter(pk=survivor.pk, workspace_id=ws).update(
        **before, version=F("version") + 1, updated_at=now
    )
    _restore_secrets(model, ws, locked)
    for label, ids in locked.moved.items():
        relation = _relation_by_label(model, label)
        if relation is not None:
            _rekey(relation, ws, _move(relation, ws, kind, survivor.pk, loser.pk, ids=ids))
    model._default_manager.filter(pk=loser.pk, workspace_id=ws).update(
        deleted_at=None, deleted_by=None, merged_into=None, version=F("version") + 1
    )
    MergeRecord.objects.filter(pk=locked.pk, workspace_id=ws).update(
        undone_at=now, undone_by_id=member.user_id
    )
    survivor, loser = _reload(model, survivor), _reload(model, loser)
    for obj in (survivor, loser):
        search.index(obj)
        duplicates.write_keys([obj])
    duplicates.refresh_records(ws, kind, [survivor.pk, loser.pk])
    audit.record(
        audit.Action.RESTORE,
        workspace=ws,
        actor=member.user,
        obj=loser,
        changes={"merge_undone": {"id": locked.pk, "survivor": survivor.pk}},
        reason="undo merge",
    )
    timeline.add(
        member,
        survivor,
        timeline.Kind.CHANGE,
        _("Undid the merge of %(name)s") % {"name": loser},
        {"action": "unmerge", "merge": locked.pk},
    )
    assert isinstance(loser, Company | Person)
    return loser


def _decode(model: type[CustomerRecord], values: dict[str, Any]) -> dict[str, Any]:
    """Return stored column values as the model's Python values (dates, decimals...)."""
    columns = {f.attname: f for f in model._meta.concrete_fields}
    return {
        name: (columns[name].to_python(value) if value is not None else None)
        for name, value in values.items()
        if name in columns
    }


def _relation_by_label(model: type[CustomerRecord], label: str) -> Relation | None:
    return next((r for r in relations(model) if r.label == label), None)


def purge_expired(*, now: Any = None) -> int:
    """Forget merges older than 30 days: they can no longer be undone (hourly housekeeping)."""
    from amity.core.models import Workspace

    cutoff = now or timezone.now()
    removed = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        count, _ = MergeRecord.objects.filter(
            workspace_id=workspace_id, expires_at__lt=cutoff
        ).delete()
        removed += count
    return removed


def recent_for(member: Membership, record: CustomerRecord, limit: int = 5) -> list[MergeRecord]:
    """Return the merges into `record` (newest first), for its "Merged from" panel: one query."""
    return list(
        MergeRecord.objects.filter(
            workspace_id=member.workspace_id,
            object_type=record.ACCESS_TYPE,
            survivor_id=record.pk,
        )
        .select_related("by")
        .order_by("-created_at", "-id")[:limit]
    )


def field_rows(
    member: Membership, survivor: CustomerRecord, loser: CustomerRecord
) -> list[dict[str, Any]]:
    """Return one row per mergeable field: label, both values for display (masked if sensitive)."""
    from amity.customers import services

    model = type(survivor)
    sensitive = sensitive_fields(model)
    defaults = default_choices(survivor, loser, member)
    take_sensitive = may_take_sensitive(member, loser)
    rows = []
    for field in mergeable_fields(model):
        values = []
        for obj in (survivor, loser):
            if field.name in sensitive:
                shown = services.masked(obj, field.name) if isinstance(obj, Person) else "••••"
            elif field.is_relation:
                shown = str(getattr(obj, field.name) or "")
            elif field.choices:
                shown = str(getattr(obj, f"get_{field.name}_display")())
            else:
                shown = str(getattr(obj, field.attname) or "")
            values.append(shown)
        same = getattr(survivor, field.attname) == getattr(loser, field.attname)
        rows.append(
            {
                "name": field.name,
                "label": str(field.verbose_name),
                "survivor": values[0],
                "loser": values[1],
                "same": same,
                "choice": defaults[field.name],
                "sensitive": field.name in sensitive,
                # Shown, but only the survivor's value can be kept by this member.
                "locked": field.name in sensitive and not take_sensitive,
            }
        )
    return rows + _secret_rows(member, survivor, loser, defaults, take_sensitive)


def _secret_rows(
    member: Membership,
    survivor: CustomerRecord,
    loser: CustomerRecord,
    defaults: dict[str, str],
    take_sensitive: bool,
) -> list[dict[str, Any]]:
    """Return the rows of sensitive custom values: masked (`•••• 4821`) for members who may
    reveal them, a bare mask otherwise."""
    definitions = secret_definitions(survivor)
    if not definitions:
        return []
    plain: list[dict[str, str]] = []
    for obj in (survivor, loser):
        revealable = access.can(member, obj.ACCESS_TYPE, "reveal", obj)
        values = {}
        for key, row in custom_fields.secrets_of(obj).items():
            if not row.value:
                continue
            try:
                values[key] = custom_fields.unseal(row) if revealable else crypto.MASK
            except crypto.DecryptionError:
                values[key] = crypto.MASK
        plain.append(values)
    rows = []
    for name, definition in definitions.items():
        mine, theirs = (values.get(definition.key, "") for values in plain)
        rows.append(
            {
                "name": name,
                "label": definition.label,
                "survivor": _masked(mine),
                "loser": _masked(theirs),
                # A bare mask says nothing about equality: only empty on both sides is the same.
                "same": mine == theirs and (not mine or mine != crypto.MASK),
                "choice": defaults.get(name, SURVIVOR),
                "sensitive": True,
                "locked": not take_sensitive,
            }
        )
    return rows


def _masked(value: str) -> str:
    return value if value in ("", crypto.MASK) else crypto.mask(value)


def related_counts(record: CustomerRecord) -> dict[str, int]:
    """Return how many rows of each relation point at `record` (shown before merging)."""
    kind = record.ACCESS_TYPE
    counts: dict[str, int] = {}
    for relation in relations(type(record)):
        n = _rows(relation, record.workspace_id, kind, record.pk).count()
        if n:
            counts[str(relation.model._meta.verbose_name_plural)] = (
                counts.get(str(relation.model._meta.verbose_name_plural), 0) + n
            )
    return counts


def choices_from(data: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return {field: side} from form pairs named "choice_<field>"."""
    return {
        key.removeprefix("choice_"): value
        for key, value in data
        if key.startswith("choice_") and value in (SURVIVOR, LOSER)
    }

"""Key rotation: give a workspace a new data key and re-encrypt its sealed values online.

Apps register the fields they seal (`register("customers.Person", "person", (...))`)
from their AppConfig.ready(), so core never imports them. Rotation walks each
registered table in primary-key batches, one transaction per batch, and writes
a row only while it still holds the value that was read (`WHERE field = old`),
so a concurrent edit always wins. Rows left on an old key (a crash, or a
writer that still used the old key) are picked up by simply running it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Q

from amity.core import audit, crypto
from amity.core.models import DataKey, Workspace

Row = dict[str, Any]


@dataclass(frozen=True)
class SealedModel:
    """Where sealed values live: a model, the table name bound into their AAD, the fields."""

    label: str
    table: str
    fields: tuple[str, ...]
    uid_field: str = "uid"

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


_registry: dict[str, SealedModel] = {}


def register(label: str, table: str, fields: tuple[str, ...], uid_field: str = "uid") -> None:
    """Declare that `label`'s `fields` hold values sealed with crypto.seal(..., table, ...)."""
    _registry[label] = SealedModel(label, table, tuple(fields), uid_field)


def registered() -> list[SealedModel]:
    return sorted(_registry.values(), key=lambda entry: entry.label)


def _on_old_key(entry: SealedModel, version: int) -> Q:
    """Match rows with at least one value sealed under a key other than `version`."""
    current = f"{crypto.PREFIX}.{version}."
    query = Q()
    for name in entry.fields:
        query |= Q(**{f"{name}__gt": ""}) & ~Q(**{f"{name}__startswith": current})
    return query


def rows_on_old_key(workspace_id: int, version: int | None = None) -> int:
    """Count rows of the workspace with a value not sealed under its current key."""
    version = version or crypto.current_version(workspace_id)
    return sum(
        entry.model._default_manager.filter(workspace_id=workspace_id)
        .filter(_on_old_key(entry, version))
        .count()
        for entry in registered()
    )


@dataclass
class RotationResult:
    workspace: str
    version: int
    resumed: bool
    rewritten: int = 0
    skipped: int = 0  # changed by someone else meanwhile: left for the next run
    unreadable: int = 0  # sealed under a destroyed key or tampered with
    left: int = 0
    errors: list[str] = field(default_factory=list)


def _target_version(workspace: Workspace) -> tuple[int, bool]:
    """Return the version to rotate to, creating it unless an earlier run is unfinished."""
    current = crypto.current_version(workspace.pk)
    if rows_on_old_key(workspace.pk, current):
        return current, True
    with transaction.atomic():
        version = current + 1
        crypto.create_data_key(workspace.pk, DataKey.Purpose.ENCRYPTION, version)
        audit.record(
            audit.Action.SECURITY,
            workspace=workspace,
            actor_label="system",
            object_type="data_key",
            object_id=version,
            object_repr=f"encryption key v{version}",
            changes={"rotated": [current, version]},
        )
    return crypto.current_version(workspace.pk), False


def _batches(entry: SealedModel, workspace_id: int, version: int, size: int) -> Iterator[list[Row]]:
    last = 0
    columns = ["pk", entry.uid_field, *entry.fields]
    while True:
        rows = list(
            entry.model._default_manager.filter(workspace_id=workspace_id, pk__gt=last)
            .filter(_on_old_key(entry, version))
            .order_by("pk")
            .values(*columns)[:size]
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"]


def _column(model: type[models.Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field) and model_field.column
    return connection.ops.quote_name(model_field.column)


def _update_sql(entry: SealedModel) -> str:
    """Return an UPDATE that writes the new values only where the old ones are still there."""
    model = entry.model
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [_column(model, name) for name in entry.fields]
    assignments = ", ".join(f"{c} = %s" for c in columns)
    unchanged = " AND ".join(f"{c} = %s" for c in columns)
    row = f"{_column(model, 'id')} = %s AND {_column(model, 'workspace')} = %s"
    # Only quoted names from the model's own metadata are interpolated; values are parameters.
    return f"UPDATE {table} SET {assignments} WHERE {row} AND {unchanged}"  # noqa: S608


def _rewrite_batch(
    entry: SealedModel, workspace_id: int, version: int, rows: list[Row], result: RotationResult
) -> None:
    params: list[list[Any]] = []
    for row in rows:
        uid = str(row[entry.uid_field])
        new_values: list[str] = []
        try:
            for name in entry.fields:
                token = row[name]
                if token and crypto.key_version(token) != version:
                    plain = crypto.unseal(workspace_id, entry.table, name, uid, token)
                    token = crypto.seal(workspace_id, entry.table, name, uid, plain)
                new_values.append(token)
        except (crypto.DecryptionError, ValueError, IndexError):
            result.unreadable += 1
            continue
        params.append([*new_values, row["pk"], workspace_id, *(row[n] for n in entry.fields)])
    if not params:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(_update_sql(entry), params)
        written = max(cursor.rowcount, 0)
    result.rewritten += written
    result.skipped += len(params) - written


def rotate(
    workspace: Workspace,
    *,
    batch_size: int = 1000,
    progress: Callable[[RotationResult], None] | None = None,
) -> RotationResult:
    """Move every sealed value of the workspace onto a new key version (or finish a rotation)."""
    try:
        version, resumed = _target_version(workspace)
    except crypto.DecryptionError as exc:
        result = RotationResult(workspace.slug, 0, False)
        result.errors.append(f"keys unusable: {exc}")
        return result
    result = RotationResult(workspace.slug, version, resumed)
    for entry in registered():
        for rows in _batches(entry, workspace.pk, version, batch_size):
            _rewrite_batch(entry, workspace.pk, version, rows, result)
            if progress:
                progress(result)
    result.left = rows_on_old_key(workspace.pk, version)
    return result


@dataclass
class KeyStatus:
    workspace: str
    encryption_version: int
    index_version: int
    versions: list[int]
    destroyed: list[int]
    rows_on_old_key: int


def status(workspace: Workspace) -> KeyStatus:
    keys = list(DataKey.objects.filter(workspace_id=workspace.pk).order_by("purpose", "version"))
    enc = [k for k in keys if k.purpose == DataKey.Purpose.ENCRYPTION]
    idx = [k for k in keys if k.purpose == DataKey.Purpose.BLIND_INDEX]
    current = enc[-1].version if enc else 0
    return KeyStatus(
        workspace=workspace.slug,
        encryption_version=current,
        index_version=idx[-1].version if idx else 0,
        versions=[k.version for k in enc],
        destroyed=[k.version for k in enc if k.destroyed_at is not None],
        rows_on_old_key=rows_on_old_key(workspace.pk, current) if current else 0,
    )

"""Bulk actions on people and companies: on a selection, or on the whole filtered list.

Every record is changed through the same service as a one-by-one edit, so each
change has its version check, audit event, timeline entry and search update.
Records the member may see but not change are left alone and counted as
skipped. Up to `SYNC_LIMIT` records are done during the request; more become a
`BulkJob` the worker runs in chunks, one transaction each. Each action is
idempotent per record (an owner already set, a record already in the trash), so
a job interrupted by a crash is finished by running it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import fields, selectors, services
from amity.customers.forms import member_users
from amity.customers.models import (
    BulkJob,
    Company,
    CompanyTag,
    CustomerRecord,
    Person,
    PersonTag,
)

SYNC_LIMIT = 200
CHUNK = 100
MAX_IDS = 1000
MODELS: dict[str, type[Company] | type[Person]] = {"person": Person, "company": Company}
# Each action and the permission it needs on every record it changes.
ACTIONS = {
    "assign": ("edit", gettext_lazy("Assign an owner")),
    "delete": ("delete", gettext_lazy("Move to the trash")),
    "tag_add": ("edit", gettext_lazy("Add a tag")),
    "tag_remove": ("edit", gettext_lazy("Remove a tag")),
}
TAG_ACTIONS = ("tag_add", "tag_remove")


@dataclass(frozen=True)
class Target:
    """The records a bulk action is about: chosen ids, or every record the filters match."""

    ids: tuple[int, ...] = ()
    filters: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ids": list(self.ids)} if self.filters is None else {"filters": self.filters}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        if "filters" in data:
            return cls(filters=dict(data["filters"]))
        return cls(ids=tuple(int(i) for i in data.get("ids", ())))


@dataclass(frozen=True)
class Plan:
    """What a bulk action would do: how many records it changes and how many it skips."""

    kind: str
    action: str
    target: Target
    args: dict[str, Any]
    allowed: int
    skipped: int

    @property
    def in_background(self) -> bool:
        return self.allowed > SYNC_LIMIT


@dataclass(frozen=True)
class Result:
    total: int
    changed: int
    skipped: int


def _query(member: Membership, kind: str, target: Target, action: str = "view") -> QuerySet[Any]:
    model = MODELS[kind]
    if target.filters is not None:
        sorts = selectors.PERSON_SORTS if kind == "person" else selectors.COMPANY_SORTS
        params = selectors.params_from_query(target.filters, sorts, paging=False)
        if kind == "person":
            return selectors.people_query(member, params, action)
        return selectors.companies_query(member, params, action)
    qs = access.visible(member, model).filter(pk__in=target.ids)
    if action != "view":
        qs = qs.filter(pk__in=access.visible(member, model, action=action).values("pk"))
    return qs


def _clean_tag(args: dict[str, Any]) -> dict[str, Any]:
    names = fields.clean_tag_names([args.get("tag") or ""])
    if not names:
        raise ValidationError({"tag": _("Give the tag to add or remove.")})
    return {"tag": names[0]}


def _clean_args(member: Membership, action: str, args: dict[str, Any]) -> dict[str, Any]:
    if action in TAG_ACTIONS:
        return _clean_tag(args)
    if action != "assign":
        return {}
    owner = args.get("owner")
    if owner in (None, "", "none"):
        return {"owner": None}
    try:
        owner_id = int(owner)
    except (TypeError, ValueError):
        owner_id = 0
    if not member_users(member).filter(pk=owner_id).exists():
        raise ValidationError({"owner": _("Choose a member of this workspace.")})
    return {"owner": owner_id}


def plan(member: Membership, kind: str, action: str, target: Target, args: dict[str, Any]) -> Plan:
    """Check the action and count what it would change, without changing anything."""
    if kind not in MODELS:
        raise Http404
    if action not in ACTIONS:
        raise ValidationError({"action": _("Choose an action.")})
    needed = ACTIONS[action][0]
    access.require(member, kind, needed)
    if target.filters is None and not target.ids:
        raise ValidationError({"ids": _("Select at least one record.")})
    if len(target.ids) > MAX_IDS:
        raise ValidationError({"ids": _("Select at most 1,000 records, or choose all matching.")})
    cleaned = _clean_args(member, action, args)
    seen = _query(member, kind, target).count()
    allowed = _query(member, kind, target, needed).count()
    return Plan(kind, action, target, cleaned, allowed, seen - allowed)


def _apply(member: Membership, action: str, obj: CustomerRecord, args: dict[str, Any]) -> bool:
    """Apply the action to one record; return whether it changed anything."""
    if action in TAG_ACTIONS:
        return _retag(member, action, obj, args["tag"])
    if action == "assign":
        if obj.owner_id == args["owner"]:
            return False
        _update(member, obj, {"owner": args["owner"]})
        return True
    services.trash(member, obj, expected_version=obj.version)
    return True


def _retag(member: Membership, action: str, obj: CustomerRecord, tag: str) -> bool:
    """Add or remove one tag through the record's service (version, audit, history, search)."""
    names = fields.tag_names(obj)
    has = tag.lower() in {n.lower() for n in names}
    if has == (action == "tag_add"):
        return False
    kept = [n for n in names if n.lower() != tag.lower()]
    _update(member, obj, {"tags": [*names, tag] if action == "tag_add" else kept})
    return True


def _update(member: Membership, obj: CustomerRecord, data: dict[str, Any]) -> None:
    if isinstance(obj, Person):
        services.update_person(member, obj, data, expected_version=obj.version)
    else:
        assert isinstance(obj, Company)
        services.update_company(member, obj, data, expected_version=obj.version)


def _tag_links(kind: str, workspace_id: int) -> Prefetch[Any]:
    link = PersonTag if kind == "person" else CompanyTag
    return Prefetch(
        "tag_links", queryset=link.objects.filter(workspace_id=workspace_id).select_related("tag")
    )


def _run(member: Membership, plan_: Plan, job: BulkJob | None = None) -> Result:
    needed = ACTIONS[plan_.action][0]
    pks = list(
        _query(member, plan_.kind, plan_.target, needed).order_by("pk").values_list("pk", flat=True)
    )
    model = MODELS[plan_.kind]
    changed = skipped = done = 0
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        with transaction.atomic():
            # Read again inside the chunk: a record changed or trashed meanwhile is
            # seen as it is now, and one the member may no longer change is skipped.
            records = access.visible(member, model, action=needed).filter(pk__in=chunk)
            if plan_.action in TAG_ACTIONS:
                records = records.prefetch_related(_tag_links(plan_.kind, member.workspace_id))
            for obj in records:
                try:
                    with transaction.atomic():
                        changed += _apply(member, plan_.action, obj, plan_.args)
                except (VersionConflict, ValidationError):
                    skipped += 1
        done += len(chunk)
        if job is not None:
            BulkJob.objects.filter(pk=job.pk, workspace_id=member.workspace_id).update(
                done=done, changed=changed, skipped=plan_.skipped + skipped
            )
    return Result(
        total=plan_.allowed + plan_.skipped, changed=changed, skipped=plan_.skipped + skipped
    )


def run_now(member: Membership, plan_: Plan) -> Result:
    """Do a small bulk action during the request."""
    return _run(member, plan_)


def start_job(member: Membership, plan_: Plan) -> BulkJob:
    """Queue a large bulk action for the worker; the member follows its progress."""
    job = BulkJob.objects.create(
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        kind=plan_.kind,
        action=plan_.action,
        params={"target": plan_.target.as_json(), "args": plan_.args},
        total=plan_.allowed,
        skipped=plan_.skipped,
    )
    from amity.customers.tasks import run_bulk

    transaction.on_commit(lambda: run_bulk.enqueue(job.pk, member.workspace_id))
    return job


def run_job(job_id: int, workspace_id: int) -> str:
    """Run a queued bulk action as its owner may act now; return its status."""
    job = BulkJob.objects.get(pk=job_id, workspace_id=workspace_id)
    if job.status == BulkJob.Status.DONE:
        return job.status
    member = (
        Membership.objects.select_related("role", "user", "workspace")
        .filter(workspace_id=workspace_id, user_id=job.user_id, is_active=True)
        .first()
    )
    jobs = BulkJob.objects.filter(pk=job.pk, workspace_id=workspace_id)
    if member is None:
        jobs.update(status=BulkJob.Status.FAILED, finished_at=timezone.now())
        return BulkJob.Status.FAILED
    try:
        plan_ = plan(
            member,
            job.kind,
            job.action,
            Target.from_json(job.params.get("target", {})),
            job.params.get("args", {}),
        )
        jobs.update(status=BulkJob.Status.RUNNING, total=plan_.allowed, done=0)
        result = _run(member, plan_, job)
    except (PermissionDenied, ValidationError, Http404):
        # The member's role or the workspace changed since: the job cannot go on.
        jobs.update(status=BulkJob.Status.FAILED, finished_at=timezone.now())
        return BulkJob.Status.FAILED
    except Exception:
        # Never leave a job "running" forever; the worker logs what broke.
        jobs.update(status=BulkJob.Status.FAILED, finished_at=timezone.now())
        raise
    jobs.update(
        status=BulkJob.Status.DONE,
        done=plan_.allowed,
        changed=result.changed,
        skipped=result.skipped,
        finished_at=timezone.now(),
    )
    return BulkJob.Status.DONE


def own_job(member: Membership, pk: int) -> BulkJob:
    """Return the member's own bulk job; anyone else's is a 404."""
    job = BulkJob.objects.filter(
        pk=pk, workspace_id=member.workspace_id, user_id=member.user_id
    ).first()
    if job is None:
        raise Http404
    return job


def target_from(ids: Sequence[str], filters: dict[str, Any] | None) -> Target:
    if filters is not None:
        return Target(filters=selectors.filters_in(filters))
    return Target(ids=tuple(int(i) for i in ids if i.isascii() and i.isdigit() and len(i) < 19))

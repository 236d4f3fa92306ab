"""Managing a workspace's tags: usage counts, rename, merge and delete.

A tag is one `Tag` row linked to records through `PersonTag` and `CompanyTag`,
so renaming, merging or deleting changes a handful of rows at once. Every
record the change reaches then gets its follow-up as if edited one by one: a
new version (a form loaded before keeps its tags only through a conflict), an
UPDATE audit event with the tags before and after (so field history shows it),
and a fresh search entry (search covers tags). Up to `bulk.SYNC_LIMIT` records
are followed up during the request, more by the worker in a `BulkJob` of kind
"tag" whose progress page is the bulk actions' one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.core import access, audit, search
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import bulk, fields
from amity.customers.models import BulkJob, Company, CompanyTag, Person, PersonTag, Tag

KINDS: dict[str, tuple[type[Person] | type[Company], type[PersonTag] | type[CompanyTag]]] = {
    "person": (Person, PersonTag),
    "company": (Company, CompanyTag),
}
JOB_KIND = "tag"


@dataclass(frozen=True)
class Change:
    """What happened to a tag, so each record's tags before it can be told."""

    action: str  # "rename", "merge" or "delete"
    old: str  # the tag renamed, merged away or deleted
    new: str = ""  # its new name, or the tag it was merged into
    # Records that had both tags of a merge (they had the target already).
    both: tuple[tuple[str, int], ...] = ()

    def before(self, kind: str, pk: int, names: list[str]) -> list[str]:
        """Return a record's tags before the change, given its tags now."""
        if self.action == "delete":
            return sorted([*names, self.old], key=str.lower)
        kept = [n for n in names if n.lower() != self.new.lower()]
        if self.action == "merge" and (kind, pk) in self.both:
            kept.append(self.new)
        return sorted([*kept, self.old], key=str.lower)

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "old": self.old, "new": self.new, "both": self.both}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        both = tuple((str(k), int(pk)) for k, pk in data.get("both", ()))
        return cls(str(data["action"]), str(data["old"]), str(data.get("new", "")), both)


def may_manage(member: Membership) -> bool:
    """Tags reach every record, so managing them takes editing and deleting all of them."""
    return all(
        access.scope_for(member, kind, action) == "all"
        for kind in KINDS
        for action in ("edit", "delete")
    )


def require_manage(member: Membership) -> None:
    if not may_manage(member):
        raise PermissionDenied("Your role may not manage tags.")


def _live_links(member: Membership, kind: str) -> QuerySet[Any]:
    link = KINDS[kind][1]
    owner = f"{kind}__deleted_at__isnull"
    return link.objects.filter(workspace_id=member.workspace_id, **{owner: True})


def _count(member: Membership, kind: str) -> Coalesce:
    links = (
        _live_links(member, kind)
        .filter(tag_id=OuterRef("pk"))
        .order_by()
        .values("tag_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), 0)


def usage(member: Membership) -> QuerySet[Tag]:
    """Return the workspace's tags by name, each with `people` and `companies` counts.

    Counts are of records not in the trash; one query whatever the number of tags.
    """
    return (
        Tag.objects.filter(workspace_id=member.workspace_id)
        .annotate(people=_count(member, "person"), companies=_count(member, "company"))
        .order_by(Lower("name"), "pk")
    )


def get(member: Membership, pk: int) -> Tag:
    """Return one of the workspace's tags for a member who may manage them."""
    require_manage(member)
    tag = Tag.objects.filter(pk=pk, workspace_id=member.workspace_id).first()
    if tag is None:
        raise Http404
    return tag


def _clean_name(name: Any) -> str:
    names = fields.clean_tag_names([name if isinstance(name, str) else ""])
    if not names:
        raise ValidationError({"name": _("Give the tag a name.")})
    return names[0]


def find(member: Membership, name: str) -> Tag | None:
    return (
        Tag.objects.annotate(lname=Lower("name"))
        .filter(workspace_id=member.workspace_id, lname=name.lower())
        .first()
    )


def _tagged(member: Membership, tag_id: int) -> dict[str, list[int]]:
    """Return the ids of records (trashed ones too) linked to the tag, by kind."""
    return {
        kind: list(
            link.objects.filter(workspace_id=member.workspace_id, tag_id=tag_id)
            .order_by(f"{kind}_id")
            .values_list(f"{kind}_id", flat=True)
        )
        for kind, (_model, link) in KINDS.items()
    }


def _audit_tag(member: Membership, action: str, tag: Tag, changes: dict[str, Any]) -> None:
    audit.record(action, workspace=member.workspace_id, actor=member.user, obj=tag, changes=changes)


def _check_version(member: Membership, tag: Tag, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != tag.version:
        raise VersionConflict(tag)


@transaction.atomic
def rename(
    member: Membership, tag: Tag, name: Any, *, expected_version: int | None = None
) -> BulkJob | None:
    """Give the tag a new name on every record; a name another tag has is refused."""
    require_manage(member)
    new = _clean_name(name)
    other = find(member, new)
    if other is not None and other.pk != tag.pk:
        raise ValidationError({"name": _("Another tag has this name; merge the two instead.")})
    old = tag.name
    if new == old:
        _check_version(member, tag, expected_version)
        return None
    version = tag.version if expected_version is None else expected_version
    updated = Tag.objects.filter(
        pk=tag.pk, workspace_id=member.workspace_id, version=version
    ).update(name=new, version=F("version") + 1)
    if not updated:
        raise VersionConflict(Tag.objects.filter(pk=tag.pk, workspace_id=tag.workspace_id).first())
    tag.name, tag.version = new, version + 1
    _audit_tag(member, audit.Action.UPDATE, tag, {"name": [old, new]})
    return _follow_up(member, _tagged(member, tag.pk), Change("rename", old, new))


@transaction.atomic
def merge(member: Membership, source: Tag, target: Tag) -> BulkJob | None:
    """Put `target` wherever `source` is, then delete `source`."""
    require_manage(member)
    if source.pk == target.pk:
        raise ValidationError({"into": _("Choose another tag to merge into.")})
    ws = member.workspace_id
    ids = _tagged(member, source.pk)
    both: list[tuple[str, int]] = []
    for kind, (_model, link) in KINDS.items():
        column = f"{kind}_id"
        has_target = link.objects.filter(workspace_id=ws, tag_id=target.pk).values(column)
        links = link.objects.filter(workspace_id=ws, tag_id=source.pk)
        both += [
            (kind, pk)
            for pk in links.filter(**{f"{column}__in": has_target}).values_list(column, flat=True)
        ]
        links.filter(**{f"{column}__in": has_target}).delete()
        links.update(tag_id=target.pk)
    _audit_tag(
        member,
        audit.Action.DELETE,
        source,
        {"name": [source.name, None], "merged_into": target.name},
    )
    Tag.objects.filter(pk=source.pk, workspace_id=ws).delete()
    return _follow_up(member, ids, Change("merge", source.name, target.name, tuple(both)))


@transaction.atomic
def delete(member: Membership, tag: Tag, *, expected_version: int | None = None) -> BulkJob | None:
    """Take the tag off every record and delete it."""
    require_manage(member)
    _check_version(member, tag, expected_version)
    ws = member.workspace_id
    ids = _tagged(member, tag.pk)
    for _model, link in KINDS.values():
        link.objects.filter(workspace_id=ws, tag_id=tag.pk).delete()
    _audit_tag(member, audit.Action.DELETE, tag, {"name": [tag.name, None]})
    Tag.objects.filter(pk=tag.pk, workspace_id=ws).delete()
    return _follow_up(member, ids, Change("delete", tag.name))


# Following up on each record ---------------------------------------------------


def _follow_up(member: Membership, ids: dict[str, list[int]], change: Change) -> BulkJob | None:
    """Update each record reached now, or queue a job when there are many."""
    total = sum(len(v) for v in ids.values())
    if total <= bulk.SYNC_LIMIT:
        _update_records(member, ids, change)
        return None
    job = BulkJob.objects.create(
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        kind=JOB_KIND,
        action=change.action,
        params={"ids": ids, "change": change.as_json()},
        total=total,
    )
    from amity.customers.tasks import run_tag_job

    transaction.on_commit(lambda: run_tag_job.enqueue(job.pk, member.workspace_id))
    return job


def _update_records(
    member: Membership, ids: dict[str, list[int]], change: Change, job: BulkJob | None = None
) -> int:
    done = 0
    for kind, pks in ids.items():
        for start in range(0, len(pks), bulk.CHUNK):
            with transaction.atomic():
                done += _update_chunk(member, kind, pks[start : start + bulk.CHUNK], change)
            if job is not None:
                BulkJob.objects.filter(pk=job.pk, workspace_id=member.workspace_id).update(
                    done=F("done") + min(bulk.CHUNK, len(pks) - start), changed=done
                )
    return done


def _update_chunk(member: Membership, kind: str, pks: list[int], change: Change) -> int:
    model, link = KINDS[kind]
    ws = member.workspace_id
    records = model._default_manager.filter(workspace_id=ws, pk__in=pks)
    records.update(version=F("version") + 1)
    names: dict[int, list[str]] = {pk: [] for pk in pks}
    for owner_id, name in link.objects.filter(
        workspace_id=ws, **{f"{kind}_id__in": pks}
    ).values_list(f"{kind}_id", "tag__name"):
        names[owner_id].append(name)
    # People's search subtitles name their company.
    objs: list[Any] = list(
        records.select_related("company") if model is Person else records  # type: ignore[misc]
    )
    for obj in objs:
        now = sorted(names.get(obj.pk, []), key=str.lower)
        fields.set_cached_tags(obj, now)
        before = change.before(kind, obj.pk, now)
        audit.record(
            audit.Action.UPDATE,
            workspace=ws,
            actor=member.user,
            obj=obj,
            changes={"tags": [", ".join(before), ", ".join(now)]},
        )
    search.index_many([o for o in objs if o.deleted_at is None])
    return len(objs)


def run_job(job_id: int, workspace_id: int) -> str:
    """Follow up a large tag change on its records; return the job's status."""
    job = BulkJob.objects.get(pk=job_id, workspace_id=workspace_id, kind=JOB_KIND)
    if job.status == BulkJob.Status.DONE:
        return job.status
    jobs = BulkJob.objects.filter(pk=job.pk, workspace_id=workspace_id)
    member = (
        Membership.objects.select_related("role", "user", "workspace")
        .filter(workspace_id=workspace_id, user_id=job.user_id, is_active=True)
        .first()
    )
    if member is None:
        jobs.update(status=BulkJob.Status.FAILED, finished_at=timezone.now())
        return BulkJob.Status.FAILED
    # The tag change itself is done; what is left is each record's follow-up, which
    # is safe to repeat, so it goes on even if the member's role changed meanwhile.
    jobs.update(status=BulkJob.Status.RUNNING, done=0, changed=0)
    try:
        ids = {str(k): [int(pk) for pk in v] for k, v in job.params.get("ids", {}).items()}
        changed = _update_records(member, ids, Change.from_json(job.params["change"]), job)
    except Exception:
        jobs.update(status=BulkJob.Status.FAILED, finished_at=timezone.now())
        raise
    jobs.update(
        status=BulkJob.Status.DONE, done=job.total, changed=changed, finished_at=timezone.now()
    )
    return BulkJob.Status.DONE

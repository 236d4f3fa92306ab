"""Targets for routes that act on workspace objects rather than customer records."""

from __future__ import annotations

import itertools
from typing import Any

from amity.core import services
from amity.core.models import ApiToken, Membership, Role, Team, User
from tests.authz.matrix import Target
from tests.conftest import World

_n = itertools.count(1)


def _workspace(world: World, target: Target):  # type: ignore[no-untyped-def]
    return world.globex if target == "other_workspace" else world.acme


def member(world: World, user: User, target: Target) -> int | None:
    """A fresh read-only member, so deactivating it never affects the cast."""
    if target == "missing":
        return None
    workspace = _workspace(world, target)
    subject = User.objects.create(email=f"subject{next(_n)}@{workspace.slug}.test")
    return services.add_member(workspace, subject, "readonly").pk


def team(world: World, user: User, target: Target) -> int | None:
    if target == "missing":
        return None
    return Team.objects.create(workspace=_workspace(world, target), name=f"Team {next(_n)}").pk


def role(world: World, user: User, target: Target) -> int | None:
    if target == "missing":
        return None
    return Role.objects.get(workspace=_workspace(world, target), key="readonly").pk


def invitation(world: World, user: User, target: Target) -> int | None:
    if target == "missing":
        return None
    workspace = _workspace(world, target)
    admin = world.mallory if target == "other_workspace" else world.alice
    by = world.member(admin, workspace)
    readonly = Role.objects.get(workspace=workspace, key="readonly")
    return services.invite(by, f"invitee{next(_n)}@example.test", readonly).pk


def token(world: World, user: User, target: Target) -> int | None:
    """The acting user's own token, a colleague's, or one in another workspace."""
    if target == "missing":
        return None
    if target == "other_workspace":
        holder, workspace = world.mallory, world.globex
    else:
        holder = user if target == "own" else (world.bob if user == world.alice else world.alice)
        workspace = world.acme
    membership = Membership.objects.get(user=holder, workspace=workspace)
    created: ApiToken = services.create_token(membership, "matrix")[0]
    return created.pk


def export_job(world: World, user: User, target: Target) -> int | None:
    """A finished list export asked for by the user, someone else, or another workspace."""
    from amity.customers import exports
    from amity.customers.models import ExportJob

    if target == "missing":
        return None
    workspace = _workspace(world, target)
    owner = {"own": user, "other_owner": world.erin if user != world.erin else world.alice}.get(
        target, world.mallory
    )
    job = ExportJob.objects.create(
        workspace=workspace, user=owner, kind="company", format="csv", status="done", done=0
    )
    job.file_name = f"{workspace.pk}-{job.pk}-companies-matrix.csv"
    (exports.export_dir() / job.file_name).write_text("ID,Name\r\n")
    ExportJob.objects.filter(pk=job.pk, workspace=workspace).update(file_name=job.file_name)
    return job.pk


def import_job(world: World, user: User, target: Target) -> int | None:
    """A finished import started by the user, someone else, or in another workspace."""
    from amity.customers.models import ImportJob

    if target == "missing":
        return None
    workspace = _workspace(world, target)
    owner = {"own": user, "other_owner": world.erin if user != world.erin else world.alice}.get(
        target, world.mallory
    )
    job = ImportJob.objects.create(
        workspace=workspace,
        user=owner,
        kind="company",
        status="done",
        original_name="matrix.csv",
        file_format="csv",
        file_name=f"{workspace.pk}-matrix.csv",
        header=["Name"],
        total=1,
        created=1,
    )
    return job.pk


def import_job_record(world: World, user: User, target: Target) -> Any:
    from amity.customers.models import ImportJob

    pk = import_job(world, user, target)
    return None if pk is None else ImportJob.objects.filter(pk=pk).only("pk", "workspace").get()


def _note(world: World, user: User, target: Target) -> Any:
    """A note by the user (own) or a colleague (other_owner) on someone else's person."""
    from amity.activities.models import Note
    from amity.customers import services as customers

    if target == "missing":
        return None
    other = world.bob if user == world.alice else world.alice
    if target == "other_workspace":
        by, author = world.member(world.mallory, world.globex), world.mallory
    else:
        by, author = world.member(world.alice), (user if target == "own" else other)
    person = customers.create_person(
        by,
        {
            "last_name": f"Noted {next(_n)}",
            "owner": (world.mallory if target == "other_workspace" else other).pk,
        },
    )
    return Note.objects.create(
        workspace_id=person.workspace_id, person=person, author=author, body="A matrix note"
    )


def note(world: World, user: User, target: Target) -> int | None:
    found = _note(world, user, target)
    return found.pk if found is not None else None


def note_record(world: World, user: User, target: Target) -> Any:
    return _note(world, user, target)


def note_subject(world: World, user: User, target: Target) -> Any:
    """A person in acme to add a note to (POST /notes carries its id in the body)."""
    from amity.customers import services as customers

    return customers.create_person(world.member(world.alice), {"last_name": f"To note {next(_n)}"})


def _notification(world: World, user: User, target: Target) -> Any:
    from amity.core import notifications

    if target == "missing":
        return None
    if target == "other_workspace":
        member = world.member(world.mallory, world.globex)
    else:
        holder = user if target == "own" else (world.bob if user == world.alice else world.alice)
        member = world.member(holder)
    return notifications.notify(member, kind="matrix", text="Matrix", url="/")


def notification(world: World, user: User, target: Target) -> int | None:
    found = _notification(world, user, target)
    return found.pk if found is not None else None


def notification_record(world: World, user: User, target: Target) -> Any:
    return _notification(world, user, target)


def _saved_view(world: World, user: User, target: Target) -> Any:
    """A private saved view of the user (own), a colleague's, or one in another workspace."""
    from amity.customers.models import SavedView

    if target == "missing":
        return None
    other = world.bob if user == world.alice else world.alice
    owner = {"own": user, "other_owner": other}.get(target, world.mallory)
    return SavedView.objects.create(
        workspace=_workspace(world, target), owner=owner, kind="person", name=f"View {next(_n)}"
    )


def saved_view(world: World, user: User, target: Target) -> int | None:
    found = _saved_view(world, user, target)
    return found.pk if found is not None else None


def saved_view_record(world: World, user: User, target: Target) -> Any:
    return _saved_view(world, user, target)


def bulk_job(world: World, user: User, target: Target) -> int | None:
    """A finished bulk action started by the user, someone else, or in another workspace."""
    from amity.customers.models import BulkJob

    if target == "missing":
        return None
    owner = {"own": user, "other_owner": world.erin if user != world.erin else world.alice}.get(
        target, world.mallory
    )
    job = BulkJob.objects.create(
        workspace=_workspace(world, target), user=owner, kind="person", action="assign"
    )
    return job.pk


def bulk_job_record(world: World, user: User, target: Target) -> Any:
    from amity.customers.models import BulkJob

    pk = bulk_job(world, user, target)
    return None if pk is None else BulkJob.objects.filter(pk=pk).first()


def custom_field_body() -> dict[str, Any]:
    return {"target": "person", "key": f"matrix_{next(_n)}", "label": "Matrix", "type": "text"}


def custom_field(world: World, user: User, target: Target) -> Any:
    """A custom field definition in the acting workspace or another one."""
    from amity.customers.models import CustomField

    if target == "missing":
        return None
    return CustomField.objects.create(
        workspace=_workspace(world, target),
        target="person",
        key=f"f{next(_n)}",
        label="F",
        type="text",
    )


def custom_field_pk(world: World, user: User, target: Target) -> int | None:
    field = custom_field(world, user, target)
    return field.pk if field is not None else None


def deal(world: World, user: User, target: Target) -> int | None:
    found = deal_record(world, user, target)
    return found.pk if found is not None else None


def deal_record(world: World, user: User, target: Target) -> Any:
    """A deal owned by the user, by a colleague, or in another workspace."""
    from amity.sales import services as sales

    if target == "missing":
        return None
    if target == "other_workspace":
        by, owner = world.member(world.mallory, world.globex), world.mallory
    else:
        by = world.member(world.alice)
        owner = user if target == "own" else (world.bob if user == world.alice else world.alice)
    pipeline = sales.install_default_pipeline(by.workspace_id)
    return sales.create_deal(by, pipeline, {"name": f"Matrix deal {next(_n)}", "owner": owner.pk})


def pipeline(world: World, user: User, target: Target) -> int | None:
    found = pipeline_record(world, user, target)
    return found.pk if found is not None else None


def pipeline_record(world: World, user: User, target: Target) -> Any:
    from amity.sales import services as sales

    if target == "missing":
        return None
    return sales.install_default_pipeline(_workspace(world, target))


def new_deal_body(record: Any) -> dict[str, Any]:
    """A deal for acme's first pipeline (POST /deals names it in the body)."""
    from amity.core.models import Workspace
    from amity.sales import services as sales

    acme = Workspace.objects.get(slug="acme")
    return {"pipeline": sales.install_default_pipeline(acme).pk, "name": "Matrix deal"}


def lead(world: World, user: User, target: Target) -> int | None:
    found = lead_record(world, user, target)
    return found.pk if found is not None else None


def lead_record(world: World, user: User, target: Target) -> Any:
    """A new lead owned by the user, by a colleague, or in another workspace."""
    from amity.sales.models import Lead

    if target == "missing":
        return None
    if target == "other_workspace":
        workspace, owner = world.globex, world.mallory
    else:
        workspace = world.acme
        owner = user if target == "own" else (world.bob if user == world.alice else world.alice)
    return Lead.objects.create(workspace=workspace, owner=owner, last_name=f"Lead {next(_n)}")


def lead_form(world: World) -> str:
    from amity.sales import leads

    return f"/leads/form/{leads.form_key(world.acme.pk)}/"


def _merge_pair(
    world: World, user: User, target: Target, kind: str = "person"
) -> tuple[Any, Any] | None:
    """Two people owned by the role (own), a colleague (other_owner), or in another workspace."""
    from amity.customers import services as customers

    if target == "missing":
        return None
    if target == "other_workspace":
        by, owner = world.member(world.mallory, world.globex), world.mallory
    else:
        by = world.member(world.alice)
        owner = user if target == "own" else (world.bob if user == world.alice else world.alice)
    n = next(_n)
    if kind == "company":
        return tuple(  # type: ignore[return-value]
            customers.create_company(by, {"name": f"Twin Co {n}", "owner": owner.pk})
            for _ in range(2)
        )
    return tuple(  # type: ignore[return-value]
        customers.create_person(by, {"last_name": f"Twin {n}", "owner": owner.pk}) for _ in range(2)
    )


def merge_survivor(world: World, user: User, target: Target, kind: str = "person") -> Any:
    """The survivor of a merge still to do; its twin (the loser) rides along as `matrix_loser`."""
    found = _merge_pair(world, user, target, kind)
    if found is None:
        return None
    survivor, loser = found
    survivor.matrix_loser = loser
    return survivor


def merge_company_survivor(world: World, user: User, target: Target) -> Any:
    return merge_survivor(world, user, target, "company")


def merge_body(record: Any) -> dict[str, Any]:
    loser = getattr(record, "matrix_loser", None)
    return {
        "loser": loser.pk if loser else 987_654_321,
        "survivor_version": record.version if record else 1,
        "loser_version": loser.version if loser else 1,
    }


def merge_record(world: World, user: User, target: Target) -> Any:
    """A merge done by the workspace's admin of two records owned as the target says."""
    from amity.customers import merge

    found = _merge_pair(world, user, target)
    if found is None:
        return None
    survivor, loser = found
    admin = world.mallory if target == "other_workspace" else world.alice
    return merge.merge(
        world.member(admin, survivor.workspace),
        survivor,
        loser,
        {},
        survivor_version=1,
        loser_version=1,
    )


def merge_id(world: World, user: User, target: Target) -> int | None:
    found = merge_record(world, user, target)
    return found.pk if found is not None else None


def duplicate_pair(world: World, user: User, target: Target) -> int | None:
    """A pair of look-alike people, in this workspace or another."""
    from amity.customers.models import DuplicatePair

    found = _merge_pair(world, user, target)
    if found is None:
        return None
    a, b = found
    return DuplicatePair.objects.create(
        workspace_id=a.workspace_id, object_type="person", first_id=a.pk, second_id=b.pk, score=60
    ).pk


def _task(world: World, user: User, target: Target) -> Any:
    """A task assigned to the user (own), to someone outside their team, or elsewhere."""
    from datetime import date

    from amity.activities import recurrence
    from amity.activities.models import Task

    if target == "missing":
        return None
    workspace = _workspace(world, target)
    owner = {"own": user, "other_owner": world.bob if user == world.alice else world.alice}.get(
        target, world.mallory
    )
    due = date(2030, 1, 15)
    return Task.objects.create(
        workspace=workspace,
        title=f"Matrix task {next(_n)}",
        due_date=due,
        due_at=recurrence.due_moment(due, None, "UTC"),
        owner=owner,
        created_by=owner,
    )


def task(world: World, user: User, target: Target) -> int | None:
    found = _task(world, user, target)
    return found.pk if found is not None else None


def task_record(world: World, user: User, target: Target) -> Any:
    return _task(world, user, target)


def event(world: World, user: User, target: Target) -> int | None:
    """An event organized by the user (own), by someone outside their team, or elsewhere."""
    from datetime import UTC, datetime

    from amity.activities.models import Event

    if target == "missing":
        return None
    owner = {"own": user, "other_owner": world.bob if user == world.alice else world.alice}.get(
        target, world.mallory
    )
    start = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
    return Event.objects.create(
        workspace=_workspace(world, target),
        title=f"Matrix event {next(_n)}",
        starts_at=start,
        ends_at=start.replace(hour=10),
        owner=owner,
    ).pk


def tag(world: World, user: User, target: Target) -> Any:
    """A tag in the acting workspace or another one."""
    from amity.customers.models import Tag

    if target == "missing":
        return None
    return Tag.objects.create(workspace=_workspace(world, target), name=f"matrix-{next(_n)}")


def tag_pk(world: World, user: User, target: Target) -> int | None:
    found = tag(world, user, target)
    return found.pk if found is not None else None

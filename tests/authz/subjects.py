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

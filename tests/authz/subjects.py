"""Targets for routes that act on workspace objects rather than customer records."""

from __future__ import annotations

import itertools
from typing import Any

from amity.core import services
from amity.core.models import ApiToken, Membership, Role, Team, User
from tests.authz.matrix import Target
from tests.conftest import World, tenant_guard_off

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


def company_secret_reveal(record: Any) -> dict[str, Any]:
    """A reveal body naming a sensitive company custom field of the record's workspace."""
    from amity.customers.models import CustomField

    if record is not None:
        CustomField.objects.get_or_create(
            workspace_id=record.workspace_id,
            target="company",
            key="matrix_vat",
            defaults={"label": "VAT", "type": "sensitive"},
        )
    return {"fields": ["custom.matrix_vat"], "reason": "matrix check"}


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


def duplicate_pair_record(world: World, user: User, target: Target) -> Any:
    """The pair itself (the API reads its id and, to see a change, its dismissal)."""
    from amity.customers.models import DuplicatePair

    pk = duplicate_pair(world, user, target)
    return None if pk is None else DuplicatePair.objects.get(pk=pk)


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


def event_record(world: World, user: User, target: Target) -> Any:
    """The event of `event`, as a record the API matrix can reload."""
    from amity.activities.models import Event

    pk = event(world, user, target)
    if pk is None:
        return None
    with tenant_guard_off():
        return Event.objects.get(pk=pk)


# Reminders, scheduled emails, the task trash and logged calls (activities).


def acme_person_id() -> int:
    """A person in acme anyone there may see (POST /reminders names it in the body)."""
    from amity.core.models import Workspace
    from amity.customers.models import Person

    acme = Workspace.objects.get(slug="acme")
    return Person.objects.create(workspace=acme, last_name=f"Remind {next(_n)}").pk


def _reminder(world: World, user: User, target: Target) -> Any:
    """A reminder of the user (own), of a colleague (other_owner) or in another workspace."""
    from datetime import UTC, datetime

    from amity.activities.models import Reminder
    from amity.customers.models import Person

    if target == "missing":
        return None
    workspace = _workspace(world, target)
    other = world.bob if user == world.alice else world.alice
    recipient = {"own": user, "other_owner": other}.get(target, world.mallory)
    person = Person.objects.create(workspace=workspace, last_name=f"Reminded {next(_n)}")
    return Reminder.objects.create(
        workspace=workspace,
        person=person,
        recipient=recipient,
        due_at=datetime(2030, 1, 1, 9, 0, tzinfo=UTC),
    )


def reminder(world: World, user: User, target: Target) -> int | None:
    found = _reminder(world, user, target)
    return found.pk if found is not None else None


def reminder_record(world: World, user: User, target: Target) -> Any:
    return _reminder(world, user, target)


def _consenting_person(world: World, owner: User, target: Target) -> Any:
    from amity.customers.models import Person

    n = next(_n)
    return Person.objects.create(
        workspace=_workspace(world, target),
        last_name=f"Mailed {n}",
        email=f"mailed{n}@example.test",
        email_consent=True,
        owner=owner,
    )


def consenting_person(world: World, user: User, target: Target) -> int | None:
    found = consenting_person_record(world, user, target)
    return found.pk if found is not None else None


def consenting_person_record(world: World, user: User, target: Target) -> Any:
    """A person who consents to email, in acme (or another workspace)."""
    if target == "missing":
        return None
    owner = world.mallory if target == "other_workspace" else world.alice
    return _consenting_person(world, owner, target)


def _scheduled_email(world: World, user: User, target: Target) -> Any:
    """An email written by the user (own) or a colleague (other_owner) to someone else's person."""
    from datetime import UTC, datetime, timedelta

    from amity.activities.models import ScheduledEmail

    if target == "missing":
        return None
    other = world.bob if user == world.alice else world.alice
    author = {"own": user, "other_owner": other}.get(target, world.mallory)
    owner = world.mallory if target == "other_workspace" else other
    person = _consenting_person(world, owner, target)
    return ScheduledEmail.objects.create(
        workspace=person.workspace,
        person=person,
        author=author,
        subject="Matrix email",
        body="Hello",
        send_at=datetime.now(UTC) + timedelta(days=30),
    )


def scheduled_email(world: World, user: User, target: Target) -> int | None:
    found = _scheduled_email(world, user, target)
    return found.pk if found is not None else None


def scheduled_email_record(world: World, user: User, target: Target) -> Any:
    return _scheduled_email(world, user, target)


def trashed_task_record(world: World, user: User, target: Target) -> Any:
    """A task like `task`, moved to the trash a day ago."""
    from datetime import timedelta

    from django.utils import timezone

    from amity.activities.models import Task

    found = _task(world, user, target)
    if found is not None:
        found.deleted_at = timezone.now() - timedelta(days=1)
        Task.objects.filter(pk=found.pk, workspace_id=found.workspace_id).update(
            deleted_at=found.deleted_at
        )
    return found


def trashed_task(world: World, user: User, target: Target) -> int | None:
    found = trashed_task_record(world, user, target)
    return found.pk if found is not None else None


def interaction(world: World, user: User, target: Target) -> int | None:
    """A call logged by the user (own) or a colleague (other_owner) with someone else's person."""
    from datetime import UTC, datetime

    from amity.activities.models import Interaction

    note_found = _note(world, user, target)
    if note_found is None:
        return None
    return Interaction.objects.create(
        workspace_id=note_found.workspace_id,
        person_id=note_found.person_id,
        author_id=note_found.author_id,
        kind="call",
        direction="outbound",
        outcome="busy",
        occurred_at=datetime(2026, 1, 1, 9, 0, tzinfo=UTC),
    ).pk


def in_a_month() -> str:
    """A send time the scheduled-email forms and API accept (within a year)."""
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:00Z")


def _rule_record(model_name: str, world: World, target: Target) -> Any:
    """A lead rule of `model_name` in the acting workspace or another one."""
    from amity.sales import models as sales_models

    if target == "missing":
        return None
    workspace = _workspace(world, target)
    model = getattr(sales_models, model_name)
    if model_name == "ScoringRule":
        return model.objects.create(workspace=workspace, attribute="country", value="NO", points=1)
    fields: dict[str, Any] = {"name": f"Rule {next(_n)}"}
    if model_name == "AssignmentRule":
        fields.update(strategy="user", user=world.alice)
    else:
        fields.update(segment="SMB")
    return model.objects.create(workspace=workspace, **fields)


def assignment_rule_record(world: World, user: User, target: Target) -> Any:
    return _rule_record("AssignmentRule", world, target)


def classification_rule_record(world: World, user: User, target: Target) -> Any:
    return _rule_record("ClassificationRule", world, target)


def scoring_rule_record(world: World, user: User, target: Target) -> Any:
    return _rule_record("ScoringRule", world, target)


def assignment_rule(world: World, user: User, target: Target) -> int | None:
    found = assignment_rule_record(world, user, target)
    return found.pk if found is not None else None


def classification_rule(world: World, user: User, target: Target) -> int | None:
    found = classification_rule_record(world, user, target)
    return found.pk if found is not None else None


def scoring_rule(world: World, user: User, target: Target) -> int | None:
    found = scoring_rule_record(world, user, target)
    return found.pk if found is not None else None


def deal_person_record(world: World, user: User, target: Target) -> Any:
    """A person on a deal owned by the user, by a colleague, or in another workspace."""
    from amity.customers.models import Person
    from amity.sales.models import DealPerson

    deal_ = deal_record(world, user, target)
    if deal_ is None:
        return None
    person = Person.objects.create(workspace_id=deal_.workspace_id, last_name=f"P {next(_n)}")
    return DealPerson.objects.create(
        workspace_id=deal_.workspace_id, deal=deal_, person=person, role="champion"
    )


def deal_person(world: World, user: User, target: Target) -> int | None:
    found = deal_person_record(world, user, target)
    return found.pk if found is not None else None


def person_in_workspace_of(record: Any) -> int:
    """A fresh person in the record's workspace, to put on a deal."""
    from amity.customers.models import Person

    if record is None:
        return 1
    return Person.objects.create(workspace_id=record.workspace_id, last_name="Matrix").pk


def assignment_rule_body(record: Any) -> dict[str, Any]:
    """A valid new assignment rule for acme: round-robin within the East team."""
    from tests.conftest import tenant_guard_off

    with tenant_guard_off():
        team = Team.objects.get(workspace__slug="acme", name="East")
    return {"name": "Matrix", "strategy": "round_robin", "team": team.pk, "countries": ["NO"]}


# Products, price lists and quotes (sales) -------------------------------------------


def product_record(world: World, user: User, target: Target) -> Any:
    """A product of acme (products have no owner) or of another workspace."""
    from amity.sales import products

    if target == "missing":
        return None
    if target == "other_workspace":
        by = world.member(world.mallory, world.globex)
    else:
        by = world.member(world.alice)
    return products.create_product(by, {"sku": f"MX-{next(_n)}", "name": "Matrix product"})


def product(world: World, user: User, target: Target) -> int | None:
    found = product_record(world, user, target)
    return found.pk if found is not None else None


def price_list_record(world: World, user: User, target: Target) -> Any:
    from amity.sales import products

    if target == "missing":
        return None
    if target == "other_workspace":
        by = world.member(world.mallory, world.globex)
    else:
        by = world.member(world.alice)
    return products.create_price_list(by, {"name": f"Matrix {next(_n)}", "currency": "EUR"})


def price_list(world: World, user: User, target: Target) -> int | None:
    found = price_list_record(world, user, target)
    return found.pk if found is not None else None


def quote_record(world: World, user: User, target: Target) -> Any:
    """A draft quote on a deal owned by the user, by a colleague, or in another workspace."""
    from amity.sales import quotes

    found = deal_record(world, user, target)
    if found is None:
        return None
    admin = world.mallory if target == "other_workspace" else world.alice
    by = world.member(admin, world.globex if target == "other_workspace" else world.acme)
    quote = quotes.create_quote(by, found)
    quotes.add_line(
        by, quote, {"description": "Matrix line", "unit_price": "10"}, expected_version=1
    )
    quote.refresh_from_db()
    return quote


def quote(world: World, user: User, target: Target) -> int | None:
    found = quote_record(world, user, target)
    return found.pk if found is not None else None


def declined_quote_record(world: World, user: User, target: Target) -> Any:
    """A declined quote (one that may be re-issued), placed like quote_record."""
    from amity.sales.models import Quote

    found = quote_record(world, user, target)
    if found is None:
        return None
    Quote.objects.filter(pk=found.pk, workspace_id=found.workspace_id).update(
        status=Quote.Status.DECLINED
    )
    found.refresh_from_db()
    return found


def declined_quote(world: World, user: User, target: Target) -> int | None:
    found = declined_quote_record(world, user, target)
    return found.pk if found is not None else None


def quote_public(world: World) -> str:
    """A sent quote's public link: open to anyone holding it."""
    from amity.sales import quotes

    found = quote_record(world, world.bob, "own")
    quotes.send_quote(world.member(world.alice), found, to="buyer@example.test")
    return f"/q/{quotes.public_token(found)}/"


def tag(world: World, user: User, target: Target) -> Any:
    """A tag in the acting workspace or another one."""
    from amity.customers.models import Tag

    if target == "missing":
        return None
    return Tag.objects.create(workspace=_workspace(world, target), name=f"matrix-{next(_n)}")


def tag_pk(world: World, user: User, target: Target) -> int | None:
    found = tag(world, user, target)
    return found.pk if found is not None else None


def _tracked_email(world: World) -> str:
    """The HTML part of a tracked email to a consenting person (tracking on in acme)."""
    from amity.core.models import Workspace
    from amity.customers import email_tracking
    from amity.customers.models import Person

    Workspace.objects.filter(pk=world.acme.pk).update(email_tracking=True)
    person = Person.objects.create(
        workspace=world.acme, last_name="Tracked", email="t@example.test", email_consent=True
    )
    return email_tracking.tracked_html(world.acme.pk, person, "Hi", "See https://example.test/")


def email_open_pixel(world: World) -> str:
    """A tracked email's open pixel: anyone holding it (the email's reader)."""
    html = _tracked_email(world)
    return html[html.index("/t/o/") : html.index(".gif") + 4]


def email_click(world: World) -> str:
    """A tracked email's link: anyone holding it is redirected to the recorded URL."""
    html = _tracked_email(world)
    start = html.index("/t/c/")
    return html[start : html.index('"', start)]

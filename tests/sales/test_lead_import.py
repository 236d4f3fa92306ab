"""Importing leads from a file (CSV, XLSX) and through the API: all rows or none, with a
report of each bad row; header variants; limits; who may import; the income bracket."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amity.core.models import AuditEvent, User
from amity.sales import lead_import, leads, rules, scoring
from amity.sales.models import AssignmentRule, ClassificationRule, Lead
from tests.api.conftest import Api, api_as, body
from tests.conftest import World, tenant_guard_off

__all__ = ["api_as"]

GOOD = (
    "First Name,Last Name,E-mail,Phone Number,Company Name,Country,Lead Source,Job Title,"
    "Income Bracket,Unknown column\n"
    "Ann,Lee,ann@initech.example,+47 1,Initech,no,fair,CTO,100-250k,x\n"
    "Bo,Berg,bo@initech.example,,Initech,NO,fair,,,y\n"
    "Cy,Chan,,,,SE,,,<25k,z\n"
)


def _upload(client: Client, text: str, name: str = "leads.csv") -> Any:
    return client.post(
        "/leads/import/", {"file": SimpleUploadedFile(name, text.encode(), "text/csv")}
    )


def _setup_rules(world: World) -> None:
    alice = world.member(world.alice)
    rules.create_rule(
        alice,
        AssignmentRule,
        {"name": "Nordics", "countries": "NO", "strategy": "user", "user": world.sam.pk},
    )
    rules.create_rule(
        alice, ClassificationRule, {"name": "Fair", "source": "fair", "segment": "Events"}
    )
    leads.add_rule(alice, "email_domain", "initech.example", 20)
    leads.add_rule(alice, "income_bracket", "100-250k", 15)


def test_a_good_file_imports_scored_assigned_classified_leads(
    world: World, as_user: Callable[[User], Client], django_capture_on_commit_callbacks: Any
) -> None:
    _setup_rules(world)
    client = as_user(world.erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, GOOD)
    assert response.status_code == 302, response.content[:2000]
    with tenant_guard_off():
        found = {lead.last_name: lead for lead in Lead.objects.filter(workspace=world.acme)}
        event = AuditEvent.objects.get(object_type="lead_import")
    assert sorted(found) == ["Berg", "Chan", "Lee"]
    ann = found["Lee"]
    assert (ann.first_name, ann.email, ann.company_name, ann.country) == (
        "Ann",
        "ann@initech.example",
        "Initech",
        "NO",
    )
    assert (ann.job_title, ann.income_bracket, ann.source) == ("CTO", "100-250k", "fair")
    assert ann.owner_id == found["Berg"].owner_id == world.sam.pk
    assert ann.segment == found["Berg"].segment == "Events"
    assert found["Chan"].segment == "" and found["Chan"].source == "import"
    assert (ann.score, found["Berg"].score, found["Chan"].score) == (35, 20, 0)
    assert event.changes["rows"] == 3 and event.object_repr == "leads.csv"


def test_one_bad_row_imports_nothing_and_is_reported(
    world: World, as_user: Callable[[User], Client]
) -> None:
    text = GOOD + "Di,Dahl,not-an-email,,,,,,,\n" + "Ed,,,,,,,,,\n" + "Fi,Fox,,,,,,,huge,\n"
    response = _upload(as_user(world.erin), text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    report = response.context["report"]
    assert [(row, str(field)) for row, field, _ in report] == [
        (4, "Email"),
        (5, "Last name"),
        (6, "Income bracket"),
    ]
    with tenant_guard_off():
        assert not Lead.objects.exists()
        assert not AuditEvent.objects.filter(object_type="lead_import").exists()


def test_header_variants_map_to_lead_fields() -> None:
    header = [
        "FIRST_NAME",
        "surname",
        "Email Address",
        "Organisation",
        "Country Code",
        "Company Size",
        "Sector",
        "Title",
        "Notes",
        "income",
        "Telephone",
        "Whatever",
    ]
    mapping = lead_import.map_headers(header)
    assert [mapping.get(i) for i in range(len(header))] == [
        "first_name",
        "last_name",
        "email",
        "company_name",
        "country",
        "company_size",
        "industry",
        "job_title",
        "message",
        "income_bracket",
        "phone",
        None,
    ]


def test_an_xlsx_file_is_read_with_the_customers_reader(
    world: World, as_user: Callable[[User], Client]
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Last name", "E-mail"])
    sheet.append(["Xu", "xu@example.com"])
    data = io.BytesIO()
    book.save(data)
    response = as_user(world.erin).post(
        "/leads/import/", {"file": SimpleUploadedFile("leads.xlsx", data.getvalue())}
    )
    assert response.status_code == 302
    with tenant_guard_off():
        assert Lead.objects.get().email == "xu@example.com"


def test_files_too_big_or_without_a_last_name_column_are_refused(
    world: World, as_user: Callable[[User], Client], settings: Any
) -> None:
    client = as_user(world.erin)
    response = _upload(client, "Name,Email\nAnn,a@example.com\n")
    assert "Last name" in str(response.context["form"].errors["file"])
    big = "Last name\n" + "Lee\n" * (lead_import.MAX_ROWS + 1)
    response = _upload(client, big)
    assert "2000" in str(response.context["form"].errors["file"]).replace(",", "")
    huge = "Last name\n" + ("x" * 99 + "\n") * 53_000
    response = _upload(client, huge)
    assert "5 MB" in str(response.context["form"].errors["file"])
    with tenant_guard_off():
        assert not Lead.objects.exists()


def test_only_those_who_may_create_leads_may_import(
    world: World, as_user: Callable[[User], Client], api_as: Callable[[User], Api]
) -> None:
    assert as_user(world.dave).get("/leads/import/").status_code == 403
    response = _upload(as_user(world.dave), GOOD)
    assert response.status_code == 403
    assert (
        api_as(world.dave).post("/leads/import", {"rows": [{"last_name": "X"}]}).status_code == 403
    )
    assert Client().get("/leads/import/").status_code == 302
    with tenant_guard_off():
        assert not Lead.objects.exists()


def test_the_api_imports_all_rows_or_reports_each_bad_one(
    world: World, api_as: Callable[[User], Api]
) -> None:
    api = api_as(world.erin)
    bad = api.post(
        "/leads/import",
        {
            "rows": [
                {"last_name": "Ok"},
                {"last_name": "Bad", "country": "Norway"},
                {"last_name": ""},
            ]
        },
    )
    assert bad.status_code == 422
    assert [(e["row"], e["field"]) for e in body(bad)["error"]["rows"]] == [
        (2, "country"),
        (3, "last_name"),
    ]
    with tenant_guard_off():
        assert not Lead.objects.exists()
    too_many = api.post("/leads/import", {"rows": [{"last_name": "X"}] * 1001})
    assert too_many.status_code == 422
    good = api.post(
        "/leads/import",
        {"rows": [{"last_name": "One", "income_bracket": ">250k"}, {"last_name": "Two"}]},
    )
    assert good.status_code == 201, good.content
    assert body(good)["created"] == 2
    with tenant_guard_off():
        made = list(Lead.objects.order_by("id"))
    assert [(lead.last_name, lead.source) for lead in made] == [("One", "api"), ("Two", "api")]
    assert body(good)["ids"] == [lead.pk for lead in made]
    one = body(api.get(f"/leads/{made[0].pk}"))
    assert one["income_bracket"] == ">250k"


def test_a_rule_on_income_bracket_gives_its_points_with_the_reason(world: World) -> None:
    rule = leads.add_rule(world.member(world.alice), "income_bracket", ">250k", 25)
    with tenant_guard_off():
        rich = Lead.objects.create(workspace=world.acme, last_name="R", income_bracket=">250k")
        other = Lead.objects.create(workspace=world.acme, last_name="O", income_bracket="<25k")
        active = scoring.rules_of(world.acme.pk)
    assert scoring.explain(rich, active) == (
        25,
        [{"rule": rule.pk, "label": "income bracket >250k", "points": 25}],
    )
    assert scoring.explain(other, active) == (0, [])


def test_an_income_bracket_rule_needs_a_known_bracket(world: World) -> None:
    from django.core.exceptions import ValidationError

    try:
        leads.add_rule(world.member(world.alice), "income_bracket", "lots", 5)
    except ValidationError as exc:
        assert "value" in exc.message_dict
    else:
        raise AssertionError("an unknown bracket was accepted")


def test_the_lead_form_and_edit_take_an_income_bracket(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.erin)
    response = client.post("/leads/new/", {"last_name": "Form", "income_bracket": "50-100k"})
    assert response.status_code == 302
    with tenant_guard_off():
        lead = Lead.objects.get()
    assert lead.income_bracket == "50-100k"
    page = client.get(f"/leads/{lead.pk}/edit/").content.decode()
    assert 'name="income_bracket"' in page


# Tables an import reads its rules and assignable members from: once per import.
RULE_TABLES = (
    "sales_assignmentrule",
    "sales_classificationrule",
    "sales_scoringrule",
    "core_membership",
)


def _import_queries(world: World, count: int) -> tuple[int, int]:
    """Return (queries, of which reads of the rule tables) for importing `count` rows."""
    rows = [
        {
            "last_name": f"Row {i}",
            "email": f"row{i}@initech.example",
            "country": ("NO", "SE", "DK")[i % 3],
        }
        for i in range(count)
    ]
    with CaptureQueriesContext(connection) as queries:
        leads.import_leads(world.member(world.erin), rows, origin="queries.csv")
    rule_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and any(f'"{t}"' in q["sql"] for t in RULE_TABLES)
    ]
    return len(queries), len(rule_reads)


def test_an_import_reads_the_rules_once_not_per_row(world: World) -> None:
    """Rules of every kind and a least-busy team: the cost of a row is a constant.

    What a row costs (saving the lead, its search entry, its audit event) depends on
    the database; it is measured between 5 and 10 rows, and must not grow with the import.
    """
    _setup_rules(world)
    alice = world.member(world.alice)
    rules.create_rule(
        alice,
        AssignmentRule,
        {"name": "Sweden", "countries": "SE", "strategy": "least_busy", "team": world.east.pk},
    )
    rules.create_rule(
        alice, ClassificationRule, {"name": "Danes", "countries": "DK", "priority": "high"}
    )
    five, five_rule_reads = _import_queries(world, 5)
    ten, ten_rule_reads = _import_queries(world, 10)
    fifty, fifty_rule_reads = _import_queries(world, 50)
    per_row = (ten - five) // 5
    assert ten == five + 5 * per_row, (five, ten)
    assert fifty == ten + 40 * per_row, (five, ten, fifty)
    assert per_row <= 11  # the lead, its search entry and its audit event only
    # The rules and the members are read once per import, whatever its size.
    assert five_rule_reads == ten_rule_reads == fifty_rule_reads <= 5
    with tenant_guard_off():
        made = Lead.objects.filter(workspace=world.acme)
        assert made.count() == 65
        # Assigned, classified and scored as before, each from the one read of the rules.
        assert {lead.owner_id for lead in made.filter(country="NO")} == {world.sam.pk}
        assert {lead.priority for lead in made.filter(country="DK")} == {"high"}
        assert {lead.score for lead in made} == {20}
        # The least-busy choices count the leads handed out meanwhile: Sam gets the
        # Nordic ones by rule, so the Swedish (East team) and Danish (any seller) go to Bob.
        owners = [lead.owner_id for lead in made.order_by("id")]
    assert abs(owners.count(world.bob.pk) - owners.count(world.sam.pk)) <= 1
    assert set(owners) == {world.bob.pk, world.sam.pk}

"""List exports (TESTPLAN S11): filters, scope, formula safety, RFC 4180, audit."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amity.core.models import AuditEvent, User
from amity.customers import services
from amity.customers.models import Person
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _exports() -> list[AuditEvent]:
    with tenant_guard_off():
        return list(AuditEvent.objects.filter(action="export").order_by("seq"))


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


def _xlsx(response: Any) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c for c in row] for row in book.active.iter_rows()]


def test_it_exports_the_filtered_people_as_csv_with_one_audit_event(
    world: World, as_user: Callable[[User], Client]
) -> None:
    acme = helpers.company(world, name="Acme Ltd")
    helpers.person(world, first_name="Ann", last_name="Lee", email="ann@x.test", company=acme.pk)
    helpers.person(world, first_name="Bo", last_name="Lund", billing_country="SE")
    helpers.person(world, first_name="Cy", last_name="Zed")
    response = as_user(world.alice).get("/people/export/?format=csv&q=L&sort=-name")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="people-')
    rows = _csv(response)
    assert rows[0][:6] == ["ID", "First name", "Last name", "Job title", "Company", "Email"]
    assert [(r[1], r[2], r[4]) for r in rows[1:]] == [
        ("Bo", "Lund", ""),
        ("Ann", "Lee", "Acme Ltd"),
    ]
    assert response.content.count(b"\r\n") == 3
    [event] = _exports()
    assert (event.actor_id, event.object_type) == (world.alice.pk, "person")
    assert event.changes == {"format": "csv", "count": 2, "filters": {"q": "L", "sort": "-name"}}


def test_it_never_exports_sensitive_values(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.person(
        world, sensitive={"national_id": helpers.NATIONAL_ID, "bank_account": helpers.IBAN}
    )
    body = as_user(world.alice).get("/people/export/").content.decode()
    assert helpers.NATIONAL_ID not in body and helpers.IBAN not in body and "••••" not in body


def test_it_exports_only_own_records_for_export_scope_own(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, owner=world.bob, last_name="Bobs")
    helpers.person(world, owner=world.alice, last_name="Alices")
    helpers.company(world, owner=world.bob, name="Bob Co")
    helpers.company(world, owner=world.alice, name="Alice Co")
    client = as_user(world.bob)
    people = _csv(client.get("/people/export/"))
    assert [r[2] for r in people[1:]] == ["Bobs"]
    companies = _csv(client.get("/companies/export/"))
    assert [r[1] for r in companies[1:]] == ["Bob Co"]


def test_it_refuses_roles_without_export_and_writes_no_event(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world)
    for url in ("/people/export/", "/companies/export/?format=xlsx"):
        assert as_user(world.dave).get(url).status_code == 403
    assert _exports() == []


def test_it_redirects_anonymous_visitors_to_log_in(world: World, client: Client) -> None:
    response = client.get("/people/export/")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert _exports() == []


def test_it_never_includes_another_workspaces_records(
    world: World, as_user: Callable[[User], Client]
) -> None:
    services.create_person(world.member(world.mallory, world.globex), {"last_name": "Globex"})
    helpers.person(world, last_name="Acme")
    rows = _csv(as_user(world.alice).get("/people/export/"))
    assert [r[2] for r in rows[1:]] == ["Acme"]
    rows = _csv(as_user(world.mallory).get("/people/export/"))
    assert [r[2] for r in rows[1:]] == ["Globex"]


def test_it_exports_xlsx_with_string_cells_only(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.company(world, name='=HYPERLINK("http://evil")', industry="-2+3")
    response = as_user(world.alice).get("/companies/export/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx(response)
    assert [c.value for c in rows[0]][:2] == ["ID", "Name"]
    assert rows[1][1].value == '\'=HYPERLINK("http://evil")'
    assert rows[1][3].value == "'-2+3"
    # Text cells only ("s", or "inlineStr" as openpyxl reads empty ones back): no formulas.
    assert {c.data_type for row in rows for c in row} <= {"s", "inlineStr"}


def test_it_answers_the_list_in_a_fixed_number_of_queries(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/people/export/").status_code == 200
        return len(captured)

    helpers.person(world, last_name="First", company=helpers.company(world, name="C").pk)
    client.get("/people/export/")
    few = queries()
    for n in range(20):
        helpers.person(world, last_name=f"P{n}", company=helpers.company(world, name=f"C{n}").pk)
    # 15, plus the custom field definitions and one query for the tags of each chunk.
    assert queries() == few == 14


prefix = st.sampled_from(DANGEROUS)
padding = st.sampled_from(["", " ", "  "])
tail = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=20)
dangerous = st.builds(lambda p, d, t: p + d + t, padding, prefix, tail)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=dangerous, title=dangerous, email_local=st.sampled_from(["=cmd", "+1", "-x", "@a"]))
def test_it_neutralises_every_formula_in_csv_and_xlsx(
    world: World, as_user: Callable[[User], Client], first: str, title: str, email_local: str
) -> None:
    """S11: values starting with = + - @ TAB CR (also after spaces) never become formulas."""
    owner = world.erin
    for earlier in Person.objects.filter(workspace=world.acme, owner=owner, deleted_at=None):
        services.trash(world.member(owner), earlier)  # each example exports one row
    person = helpers.person(world, owner=owner, first_name=first, title=title, last_name=title)
    # Bypasses the form's email validation: stored data may predate it.
    Person.objects.filter(pk=person.pk, workspace=world.acme).update(email=email_local + "@x.test")
    client = as_user(owner)
    csv_rows = _csv(client.get("/people/export/?format=csv&owner=me"))
    [row] = csv_rows[1:]
    assert row[1] == "'" + first and row[2] == "'" + title and row[3] == "'" + title
    assert row[5] == "'" + email_local + "@x.test"
    xlsx_rows = _xlsx(client.get("/people/export/?format=xlsx&owner=me"))
    cells = [c for r in xlsx_rows for c in r]
    assert all(c.data_type != "f" for c in cells)
    values = [c.value for c in xlsx_rows[1]]
    # XML turns a stored CR into LF on reading; the apostrophe is what matters.
    assert values[1].replace("\n", "\r") == ("'" + first).replace("\n", "\r")
    assert values[5] == "'" + email_local + "@x.test"
    for value in (values[1], values[2], values[3], values[5]):
        assert value.startswith("'")


def test_it_leaves_a_trashed_company_out_of_people_exports(
    world: World, as_user: Callable[[User], Client]
) -> None:
    firm = helpers.company(world, name="Gone Ltd")
    helpers.person(world, first_name="Ann", last_name="Lee", company=firm.pk)
    services.trash(world.member(world.alice), firm)
    rows = _csv(as_user(world.alice).get("/people/export/?format=csv"))
    assert [(r[2], r[4]) for r in rows[1:]] == [("Lee", "")]

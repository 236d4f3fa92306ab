"""`amity demo`: realistic demo data through the services, and a second run changes nothing."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from amity.core import access, audit, crypto
from amity.core.models import Membership, Workspace
from amity.customers.models import Company, Person
from amity.customers.validators import iban_checksum_ok, normalise_iban
from amity.web import demo
from tests.conftest import tenant_guard_off


def _row_counts() -> dict[str, int]:
    counts = {}
    with tenant_guard_off(), connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def test_it_loads_demo_data_once(db: None) -> None:
    first = StringIO()
    call_command("demo", stdout=first)
    counts = _row_counts()
    second = StringIO()

    call_command("demo", stdout=second)

    assert _row_counts() == counts
    assert "Created the demo workspace Acme Demo." in first.getvalue()
    assert "The demo workspace Acme Demo exists already" in second.getvalue()
    assert f"password: {demo.DEMO_PASSWORD}" in second.getvalue()
    assert "admin@demo.amity.test" in second.getvalue()
    assert counts["customers_company"] == 35 and counts["customers_person"] == 135
    assert audit.verify() == []


def test_it_gives_every_role_a_login_and_keeps_workspaces_apart(db: None) -> None:
    call_command("demo", stdout=StringIO())
    acme = Workspace.objects.get(slug="acme-demo")
    globex = Workspace.objects.get(slug="globex-demo")

    roles = set(
        Membership.objects.filter(workspace=acme).values_list("role__key", flat=True).distinct()
    )
    assert roles == {
        "admin", "manager", "sales", "marketing", "support", "billing", "shipping", "readonly",
    }  # fmt: skip
    assert authenticate(email="admin@demo.amity.test", password=demo.DEMO_PASSWORD) is not None
    member = Membership.objects.select_related("workspace", "role", "team", "user").get(
        workspace=globex, user__email="admin@globex.demo.amity.test"
    )
    assert access.visible(member, Person).count() == 15
    assert access.visible(member, Company).count() == 5

    people = list(Person.objects.filter(workspace=acme))
    assert len({p.owner_id for p in people}) >= 3
    ibans = [
        crypto.unseal(acme.pk, "person", "bank_account", str(p.uid), p.bank_account)
        for p in people
        if p.bank_account
    ]
    assert len(ibans) == 30
    assert all(iban_checksum_ok(normalise_iban(value)) for value in ibans)
    assert sum(1 for p in people if p.national_id) == 40
    assert all(p.email.isascii() and "@" in p.email for p in people)

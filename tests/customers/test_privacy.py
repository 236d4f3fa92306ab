"""Data-subject rights (TESTPLAN S19): export everything, erase, replay the ledger."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client

from amity.core import services as core_services
from amity.core.models import AuditEvent, User
from amity.customers import privacy, services
from amity.customers.models import ErasureRecord, Person
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers

CANARY_NAME = "Zebulon"
CANARY_EMAIL = "zebulon.canary@example.test"
CANARY_ID = "CANARY-998877"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _canary(world: World) -> Person:
    co = helpers.company(world, name="Canary Co")
    return helpers.person(
        world,
        sensitive={"national_id": CANARY_ID, "bank_account": helpers.IBAN},
        first_name=CANARY_NAME,
        last_name="Quill",
        title="Chief Canary",
        company=co.pk,
        email=CANARY_EMAIL,
        alt_email="z2@example.test",
        phone="+47 555 55 501",
        mobile="+47 555 55 502",
        billing_street="1 Canary Row",
        shipping_city="Canaryville",
    )


def _customer_hits(*needles: str) -> int:
    """Count rows of every customers table whose text columns hold a needle."""
    hits = 0
    with tenant_guard_off():
        for model in apps.get_app_config("customers").get_models():
            text = [
                f.name
                for f in model._meta.fields
                if isinstance(f, (models.CharField, models.TextField, models.JSONField))
            ]
            for row in model._default_manager.values(*text):
                blob = json.dumps(row, default=str)
                hits += sum(needle in blob for needle in needles)
    return hits


def test_it_exports_everything_about_a_person_decrypted_and_audited(
    world: World, as_user: Callable[[User], Client]
) -> None:
    zeb = _canary(world)
    as_user(world.erin).get(f"/people/{zeb.pk}/")  # a view, in the access history
    response = as_user(world.alice).get(f"/people/{zeb.pk}/privacy/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("person.json"))
    names = set(document["sections"])
    assert {"person", "access_history", "prepared_exports"} <= names
    assert set(archive.namelist()) == {"README.txt", "person.json"} | {f"{n}.csv" for n in names}
    [row] = document["sections"]["person"]
    stored = helpers.reload(zeb)
    for name in services.PERSON_FIELDS:
        if name not in ("owner", "company"):
            assert row[name] == getattr(stored, name), name
    assert (row["national_id"], row["bank_account"]) == (CANARY_ID, helpers.IBAN)
    assert (row["company"], row["owner"], row["uid"]) == (
        "Canary Co",
        world.alice.email,
        str(zeb.uid),
    )
    history = document["sections"]["access_history"]
    assert [(h["action"], h["by"]) for h in history] == [
        ("create", world.alice.email),
        ("view", world.erin.email),
    ]
    person_csv = list(csv.DictReader(io.StringIO(archive.read("person.csv").decode(), newline="")))
    assert person_csv[0]["national_id"] == CANARY_ID
    assert person_csv[0]["phone"] == "'+4755555501"  # formula-safe
    assert "access_history.csv" in archive.read("README.txt").decode()
    reveals = helpers.events("reveal", zeb)
    assert sorted(e.changes["field"] for e in reveals) == ["bank_account", "national_id"]
    [export] = helpers.events("export", zeb)
    assert export.actor_id == world.alice.pk
    sections = export.changes["sections"]
    assert (sections["person"], sections["access_history"], sections["prepared_exports"]) == (
        1,
        2,
        0,
    )


def test_it_includes_sections_registered_by_other_modules(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(privacy, "_registry", dict(privacy._registry))
    erased: list[int] = []
    privacy.register(
        "orders",
        lambda p: [{"order": 7, "who": p.last_name}],
        lambda p, by: erased.append(p.pk) or 3,
    )
    zeb = _canary(world)
    data = privacy.export_person(world.member(world.alice), zeb)
    document = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("person.json"))
    assert document["sections"]["orders"] == [{"order": 7, "who": "Quill"}]
    privacy.erase_person(world.member(world.alice), zeb, "Zebulon Quill")
    assert erased == [zeb.pk]
    [event] = [e for e in helpers.events("delete", zeb) if e.changes.get("erased")]
    assert event.changes["sections"]["orders"] == 3


@pytest.mark.parametrize("user", ["erin", "bob", "dave", "frank"])
def test_it_refuses_the_privacy_rights_to_other_roles(
    world: World, as_user: Callable[[User], Client], user: str
) -> None:
    zeb = _canary(world)
    client = as_user(getattr(world, user))
    assert client.get(f"/people/{zeb.pk}/privacy/export/").status_code == 403
    response = client.post(f"/people/{zeb.pk}/privacy/erase/", {"confirm": "Zebulon Quill"})
    assert response.status_code == 403
    assert helpers.reload(zeb).first_name == CANARY_NAME
    assert helpers.events("export", zeb) == [] and helpers.events("reveal", zeb) == []


def test_it_is_a_404_in_another_workspace(world: World, as_user: Callable[[User], Client]) -> None:
    zeb = _canary(world)
    client = as_user(world.mallory)
    assert client.get(f"/people/{zeb.pk}/privacy/export/").status_code == 404
    assert (
        client.post(f"/people/{zeb.pk}/privacy/erase/", {"confirm": "Zebulon Quill"}).status_code
        == 404
    )
    assert helpers.reload(zeb).first_name == CANARY_NAME


def test_it_requires_the_exact_name_to_erase(
    world: World, as_user: Callable[[User], Client]
) -> None:
    zeb = _canary(world)
    response = as_user(world.alice).post(f"/people/{zeb.pk}/privacy/erase/", {"confirm": "zebulon"})
    assert response.status_code == 400
    assert helpers.reload(zeb).first_name == CANARY_NAME
    with tenant_guard_off():
        assert ErasureRecord.objects.count() == 0


def test_it_erases_leaving_no_canary_in_the_customers_tables(
    world: World, as_user: Callable[[User], Client]
) -> None:
    zeb = _canary(world)
    client = as_user(world.alice)
    client.get("/people/export/")  # a list export is not a prepared file; nothing to clean
    # The person row (name and email) and the email duplicate key.
    assert _customer_hits(CANARY_NAME, CANARY_EMAIL) == 3
    response = client.post(
        f"/people/{zeb.pk}/privacy/erase/", {"confirm": " Zebulon Quill ", "reason": "Ticket 42"}
    )
    assert response.status_code == 302
    stored = helpers.reload(zeb)
    assert (stored.full_name, stored.email, stored.phone, stored.company_id) == (
        "Erased person",
        "",
        "",
        None,
    )
    assert (stored.national_id, stored.national_id_bidx, stored.bank_account_bidx) == ("", "", "")
    assert _customer_hits(CANARY_NAME, CANARY_EMAIL, CANARY_ID, "Canary Row", "Canaryville") == 0
    with tenant_guard_off():
        [ledger] = ErasureRecord.objects.all()
        erasure = AuditEvent.objects.filter(action="delete", object_id=str(zeb.pk)).get()
    assert (ledger.person_uid, ledger.by_id, ledger.reason) == (
        zeb.uid,
        world.alice.pk,
        "Ticket 42",
    )
    blob = json.dumps([erasure.changes, erasure.object_repr, erasure.reason])
    assert CANARY_NAME not in blob and CANARY_EMAIL not in blob and "Quill" not in blob
    # Idempotent: a second erasure changes nothing and writes nothing.
    assert privacy.erase_person(world.member(world.alice), stored, "") is False
    with tenant_guard_off():
        assert AuditEvent.objects.filter(action="delete").count() == 1


def test_it_reapplies_erasures_after_a_backup_is_restored(world: World) -> None:
    zeb = _canary(world)
    with tenant_guard_off():
        backup = Person.objects.filter(pk=zeb.pk).values().get()
    privacy.erase_person(world.member(world.alice), zeb, "Zebulon Quill", "DSR")
    with tenant_guard_off():
        Person.objects.filter(pk=zeb.pk).update(**{k: v for k, v in backup.items() if k != "id"})
    assert _customer_hits(CANARY_NAME, CANARY_EMAIL) == 2
    out = io.StringIO()
    call_command("privacy", "reapply-erasures", stdout=out)
    assert out.getvalue().strip() == "Re-erased 1 person."
    assert _customer_hits(CANARY_NAME, CANARY_EMAIL, CANARY_ID, "Canary Row") == 0
    out = io.StringIO()
    call_command("privacy", "reapply-erasures", stdout=out)
    assert out.getvalue().strip() == "Re-erased 0 people."


def test_it_offers_the_rights_on_the_record_to_admins_only(
    world: World, as_user: Callable[[User], Client]
) -> None:
    zeb = _canary(world)
    admin = as_user(world.alice).get(f"/people/{zeb.pk}/").content.decode()
    assert f"/people/{zeb.pk}/privacy/erase/" in admin and f"/people/{zeb.pk}/vcard/" in admin
    manager = as_user(world.erin).get(f"/people/{zeb.pk}/").content.decode()
    assert "/privacy/" not in manager and f"/people/{zeb.pk}/vcard/" in manager


def _api(world: World, user: User) -> dict[str, str]:
    _, token = core_services.create_token(world.member(user), "t")
    return {"Authorization": f"Bearer {token}"}


def test_it_exports_and_erases_through_the_api(world: World) -> None:
    zeb = _canary(world)
    headers = _api(world, world.alice)
    response = Client().get(f"/api/v1/people/{zeb.pk}/privacy-export", headers=headers)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert CANARY_ID in zipfile.ZipFile(io.BytesIO(response.content)).read("person.json").decode()
    wrong = Client().post(
        f"/api/v1/people/{zeb.pk}/erase",
        {"confirm": "Zeb"},
        content_type="application/json",
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["fields"] == {
        "confirm": ["Type the person's full name exactly to confirm."]
    }
    done = Client().post(
        f"/api/v1/people/{zeb.pk}/erase",
        {"confirm": "Zebulon Quill", "reason": "api"},
        content_type="application/json",
        headers=headers,
    )
    assert (done.status_code, done.json()) == (200, {"erased": True})
    assert _customer_hits(CANARY_NAME, CANARY_EMAIL) == 0
    denied = Client().post(
        f"/api/v1/people/{zeb.pk}/erase",
        {"confirm": "Erased person"},
        content_type="application/json",
        headers=_api(world, world.erin),
    )
    assert denied.status_code == 403


def test_erasure_takes_the_person_out_of_search(world: World) -> None:
    from django.db import connection

    from amity.core import search
    from amity.core.models import SearchEntry

    zeb = _canary(world)
    alice = world.member(world.alice)
    assert [h.id for h in search.query(alice, CANARY_NAME)] == [zeb.pk]
    privacy.erase_person(alice, zeb, "Zebulon Quill", "DSR")
    assert search.query(alice, CANARY_NAME) == []
    assert search.query(alice, CANARY_EMAIL) == []
    with tenant_guard_off():
        documents = " ".join(SearchEntry.objects.values_list("document", flat=True)).lower()
        assert CANARY_NAME.lower() not in documents
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT doc || ' ' || fuzz FROM core_search_fts")
                indexed = " ".join(row[0] for row in cursor.fetchall()).lower()
            assert "zebulon" not in indexed and "quill" not in indexed


def test_erasure_takes_the_name_out_of_colleagues_notifications(world: World) -> None:
    from amity.activities.services import create_note
    from amity.core.models import Notification

    zeb = _canary(world)
    alice = world.member(world.alice)
    create_note(alice, zeb, "Please call back, @bob")
    with tenant_guard_off():
        assert CANARY_NAME in Notification.objects.get(recipient=world.bob).text
    privacy.erase_person(alice, zeb, "Zebulon Quill", "DSR")
    with tenant_guard_off():
        notification = Notification.objects.get(recipient=world.bob)
    assert CANARY_NAME not in notification.text
    assert notification.url == zeb.get_absolute_url()

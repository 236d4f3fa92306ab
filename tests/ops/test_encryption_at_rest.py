"""S13: canary national IDs and IBANs never reach the database file, a dump or the logs."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from amity.core.models import User
from amity.customers import services
from amity.customers.models import Person
from amity.customers.validators import iban_checksum_ok
from tests.conftest import World
from tests.ops import canaries

COUNT = 1000
CONTROL = canaries.national_id(999_999)  # written in plain text on purpose


def _seed_with_control(world: World) -> list[Person]:
    member = world.member(world.alice)
    people = canaries.seed(member, COUNT)
    # The positive control: a canary in an ordinary, unencrypted field must be found.
    services.create_company(member, {"name": f"Control {CONTROL}"})
    return people


def test_it_makes_valid_canary_ibans() -> None:
    assert all(iban_checksum_ok(canaries.bank_account(i)) for i in (0, 1, 999))
    assert canaries.hits(f"x{canaries.bank_account(5)}y{canaries.national_id(7)}") == {
        canaries.bank_account(5),
        canaries.national_id(7),
    }


def test_it_keeps_canaries_out_of_the_logs_and_the_sqlite_image(
    world: World,
    caplog: pytest.LogCaptureFixture,
    as_user: Callable[[User], Client],
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    try:
        people = _seed_with_control(world)
        member = world.member(world.alice)
        revealed = services.reveal(member, people[3], ["national_id", "bank_account"], "check")
        assert revealed == {
            "national_id": canaries.national_id(3),
            "bank_account": canaries.bank_account(3),
        }
        assert services.masked(people[3], "national_id") == "•••• 0003"
        services.update_person(
            member,
            people[4],
            {"title": "Buyer"},
            expected_version=people[4].version,
            sensitive={"national_id": canaries.national_id(4_000)},
        )
        client = as_user(world.alice)
        assert client.get(people[5].get_absolute_url()).status_code == 200
    finally:
        connection.force_debug_cursor = False
    assert any("customers_person" in r.getMessage() for r in caplog.records), "SQL not logged"
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    log_text += "\n".join(str(r.args) for r in caplog.records)
    assert canaries.hits(log_text) == {CONTROL}  # the control only

    assert Person.objects.filter(workspace=world.acme).count() == COUNT
    if connection.vendor != "sqlite":
        return  # PostgreSQL: see the pg_dump test
    # The database image as it would be written to disk, this transaction included.
    data = connection.connection.serialize()
    assert b"SQLite format 3" in data[:16]
    assert canaries.hits(data) == {CONTROL}


ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump needs PostgreSQL (DATABASE_URL)")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
@pytest.mark.django_db(transaction=True)  # pg_dump sees committed rows only
def test_it_keeps_canaries_out_of_pg_dump(world: World) -> None:
    assert connection.vendor == "postgresql"
    _seed_with_control(world)
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    result = subprocess.run(
        [
            "pg_dump",
            "--no-owner",
            "-h",
            str(db["HOST"] or "127.0.0.1"),
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            str(db["USER"]),
            str(db["NAME"]),
        ],
        capture_output=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert b"customers_person" in result.stdout
    assert canaries.hits(result.stdout) == {CONTROL}

"""TESTPLAN S13 on a real SQLite file: demo data written by `amity demo`, then the file grepped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AMITY = [sys.executable, "-m", "amity.cli"]
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass (it makes its own SQLite file)",
)

# Printed by a child process that opens every sealed value the way the app does.
REVEAL_ALL = """
import json, django
django.setup()
from django.db import connection
from amity.core import crypto
from amity.customers.models import Person
values, emails = [], []
for p in Person.objects.exclude(national_id="", bank_account=""):
    emails.append(p.email)
    for field in Person.SENSITIVE_FIELDS:
        if token := getattr(p, field):
            values.append(crypto.unseal(p.workspace_id, "person", field, str(p.uid), token))
with connection.cursor() as c:
    c.execute("PRAGMA wal_checkpoint(PASSIVE)")
print(json.dumps({"values": values, "emails": emails}))
"""


def test_the_database_files_hold_no_sensitive_plaintext(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMITY_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(AMITY_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="amity.settings")
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        subprocess.run([*AMITY, "migrate", "-v0"], env=env, check=True, timeout=120, stdout=out)
        subprocess.run([*AMITY, "demo"], env=env, check=True, timeout=120, stdout=out, stderr=out)
    child = subprocess.run(
        [sys.executable, "-c", REVEAL_ALL], env=env, check=True, timeout=120, capture_output=True
    )
    found = json.loads(child.stdout)
    values = found["values"]
    assert len(values) >= 50, "the demo data should hold sensitive values to look for"

    files = [p for p in tmp_path.iterdir() if p.name.startswith("amity.sqlite3")]
    everything = b"".join(p.read_bytes() for p in files)
    # A positive control: plain fields of the same people are there to be found.
    assert sum(e.encode() in everything for e in found["emails"] if e) >= 50
    hits = []
    for path in [*files, log]:
        data = path.read_bytes()
        hits += [f"{path.name}: {v}" for v in values if v.encode() in data]
        # IBANs are also shown grouped in fours; look for that spelling too.
        hits += [
            f"{path.name}: {v} (grouped)"
            for v in values
            if " ".join(v[i : i + 4] for i in range(0, len(v), 4)).encode() in data
        ]
    assert hits == []

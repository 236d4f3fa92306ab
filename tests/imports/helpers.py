"""Files and jobs shared by the import tests, made through the real services."""

from __future__ import annotations

from typing import Any

from amity.core.models import User
from amity.customers.imports import jobs
from amity.customers.models import ImportJob
from tests.conftest import World

PEOPLE_CSV = (
    "First Name,Last Name,Email Address,Company Name,Mobile Phone Number,Country\r\n"
    "Ada,Lovelace,ada@example.test,Analytical,+44 20 7946 0001,GB\r\n"
    "Alan,Turing,alan@example.test,Bletchley,+44 20 7946 0002,GB\r\n"
    "Bad,Row,not-an-email,Analytical,,GB\r\n"
    "Grace,Hopper,grace@example.test,,,US\r\n"
)


def run(
    world: World,
    data: str | bytes,
    *,
    user: User | None = None,
    kind: str = "person",
    name: str = "people.csv",
    match_on: str = "email",
    on_match: str = "skip",
    mapping: dict[int, str] | None = None,
    capture: Any = None,
) -> ImportJob:
    """Upload, map (as guessed unless given) and run an import to the end."""
    member = world.member(user or world.alice)
    raw = data.encode() if isinstance(data, str) else data
    job = jobs.upload(member, kind, name, raw)
    chosen = mapping if mapping is not None else {int(i): k for i, k in job.mapping.items()}
    jobs.configure(member, job, chosen, match_on, on_match)
    if capture is not None:
        with capture(execute=True):
            jobs.start(member, job)
    else:
        jobs.start(member, job)
        jobs.run(job.pk, job.workspace_id)
    return jobs.reload(job)


def small_chunks(monkeypatch: Any, size: int) -> None:
    """Check and write `size` rows at a time, so a few rows cross chunk boundaries."""
    from amity.customers.imports import plan, writer

    monkeypatch.setattr(plan, "CHUNK", size)
    monkeypatch.setattr(writer, "CHUNK", size)


def upload_and_map(
    world: World, data: str = PEOPLE_CSV, *, user: User | None = None, kind: str = "person"
) -> ImportJob:
    """Upload a file and keep the guessed mapping; nothing runs."""
    member = world.member(user or world.alice)
    return jobs.upload(member, kind, "people.csv", data.encode())

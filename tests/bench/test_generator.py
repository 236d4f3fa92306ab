"""The benchmark data set holds the rows the services would write, and the scenarios answer 200."""

from __future__ import annotations

import pytest

from amity.bench import generator, runner, scenarios
from amity.bench.registry import Scenario
from amity.core import audit, crypto, search
from amity.core.models import Membership, Workspace
from amity.customers import timeline
from amity.customers.models import Company, Person
from tests.conftest import tenant_guard_off

CONTACTS = 200


@pytest.mark.django_db
def test_it_generates_a_consistent_workspace_that_every_scenario_reads() -> None:
    # The loader reads MAX(id) across workspaces: benchmark tooling, not app code.
    with tenant_guard_off():
        dataset = generator.ensure(CONTACTS, seed=7, progress=lambda _: None)
    assert not dataset.reused
    ws = Workspace.objects.get(slug=generator.SLUG)
    assert ws.name == generator.workspace_name(CONTACTS, 7)
    # With the near-duplicates step's copies (0.5 %, at least one).
    assert Person.objects.filter(workspace=ws).count() == CONTACTS + 1
    assert Company.objects.filter(workspace=ws).count() == CONTACTS // 10
    with tenant_guard_off():
        assert audit.verify() == []
    admin = Membership.objects.select_related("user", "role", "workspace").get(
        workspace=ws, user__email=f"admin@{generator.DOMAIN}"
    )
    # Search finds the rare surname through the index the generator wrote.
    hits = search.query(admin, generator.RARE_NAME[:5], types=["person"], limit=50)
    assert {h.title.split()[-1] for h in hits} == {generator.RARE_NAME}
    # Sealed values open for their own row, and the blind index matches.
    person = Person.objects.filter(workspace=ws).exclude(national_id="").first()
    assert person is not None
    plain = crypto.unseal(ws.pk, "person", "national_id", str(person.uid), person.national_id)
    assert person.national_id_bidx == crypto.blind_index(ws.pk, "national_id", plain)
    # The very active customer has a full timeline.
    active = Person.objects.get(pk=Person.objects.filter(workspace=ws).order_by("pk")[0].pk + 17)
    page = timeline.page(admin, active)
    assert len(page.items) == timeline.PAGE_SIZE and page.next_cursor
    with tenant_guard_off():
        again = generator.ensure(CONTACTS, seed=7, progress=lambda _: None)
    assert again.reused and again.rows == {}
    _every_scenario_answers_200_in_process()


def _every_scenario_answers_200_in_process() -> None:
    scenarios.builtin()
    ds = scenarios.load_dataset(CONTACTS)
    sessions = runner.Sessions(ds)
    with tenant_guard_off():
        figures = [
            runner.measure(ds, s, sessions, rounds=1)
            for s in runner.registry.scenarios()
            if not s.pending
        ]
    assert {f.scenario: f.status for f in figures if f.status is not None} == {
        "contact list": 200,
        "deep page": 200,
        "search common prefix": 200,
        "search rare prefix": 200,
        "customer 360": 200,
        "api list": 200,
        "api detail": 200,
        "pipeline board": 200,
        "pipeline board mine": 200,
        "funnel report": 200,
        "api deals list": 200,
        "duplicates list": 200,
    }
    export = next(f for f in figures if f.scenario == "export 100k")
    assert export.rows_per_s and export.queries
    # The import scenario imports as many rows as the data set has, then rolls them back.
    imported = next(f for f in figures if f.scenario == "import 100k")
    assert imported.rows_per_s and imported.min_rows_per_s == 10_000
    assert Person.objects.filter(workspace=ds.workspace).count() == CONTACTS + 1
    assert not [s.name for s in runner.registry.scenarios() if s.pending]


def test_a_missed_budget_shows_in_the_table() -> None:
    figure = runner.Figure("x", "in-process", p50_ms=9, p95_ms=60, floor_p95_ms=2, budget_ms=50)
    run = runner.Run("sqlite", 1, 1, 1, "", {}, {}, [figure])
    assert figure.missed and figure.ratio == 30
    assert "MISSED" in runner.table(run)
    assert isinstance(Scenario("y"), Scenario)
    slow = runner.Figure("import", "in-process", p95_ms=9, rows_per_s=9_000, min_rows_per_s=10_000)
    table = runner.table(runner.Run("sqlite", 1, 1, 1, "", {}, {}, [slow]))
    assert slow.missed and "≥10,000 rows/s" in table

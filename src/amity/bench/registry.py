"""Where modules plug into the benchmark: one line for their data, one for each scenario.

A module that lands adds, for example in `amity/bench/scenarios.py`:

    register(Scenario("pipeline board", budget_ms=150, request=board_request, floor=board_sql))
    data_step("deals", add_deals)

and removes its `pending(...)` placeholder. A step receives the generator's
context (loader, seeded random, workspace, users, people and company ids) and
writes its rows with `ctx.loader.insert(...)`, the fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amity.bench.generator import GenContext
    from amity.bench.scenarios import Dataset


@dataclass(frozen=True)
class Request:
    """One request a scenario makes: who, which method and path, and an optional JSON body."""

    path: str
    user: str = "top"  # a key of Dataset.users
    method: str = "GET"
    api: bool = False  # authenticate with the user's API token instead of a session


@dataclass(frozen=True)
class Scenario:
    name: str
    # Builds the request for a data set; None times `call` in-process only.
    request: Callable[[Dataset], Request] | None = None
    # The raw-SQL floor: hand-written SQL for the same rows, timed the same way.
    floor: Callable[[Dataset], None] | None = None
    budget_ms: float | None = None
    # For work that is not one request (an export job, an import): time this instead.
    call: Callable[[Dataset], int] | None = None
    rounds: int | None = None  # fewer rounds for slow scenarios
    # A throughput budget for `call` scenarios (an import): missed when slower.
    min_rows_per_s: float | None = None
    # Run once after the rounds, untimed: puts the data set back as generated.
    after: Callable[[Dataset], None] | None = None
    description: str = ""
    # Scenarios whose module has not landed: the reason they are skipped.
    pending: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


_scenarios: dict[str, Scenario] = {}
_steps: dict[str, Callable[[GenContext], int]] = {}
_addable: set[str] = set()


def register(scenario: Scenario) -> None:
    """Add (or replace) a timed scenario."""
    _scenarios[scenario.name] = scenario


def pending(name: str, reason: str, budget_ms: float | None = None) -> None:
    """Hold a place for a scenario whose module has not landed; it is skipped with `reason`."""
    register(Scenario(name, budget_ms=budget_ms, pending=reason))


def scenarios() -> list[Scenario]:
    return list(_scenarios.values())


def data_step(name: str, step: Callable[[GenContext], int], *, addable: bool = False) -> None:
    """Run `step` after the customers are generated; it returns how many rows it wrote.

    An `addable` step runs after every workspace is generated, with a random of its
    own, and is added to a data set generated before it existed when that data set is
    reused (generator.add_missing_steps), so adding one never means generating again.
    """
    _steps[name] = step
    if addable:
        _addable.add(name)
    else:
        _addable.discard(name)


def data_steps() -> dict[str, Callable[[GenContext], int]]:
    """Return the steps every data set of this DATA_VERSION holds (run per workspace)."""
    return {name: step for name, step in _steps.items() if name not in _addable}


def addable_steps() -> dict[str, Callable[[GenContext], int]]:
    return {name: step for name, step in _steps.items() if name in _addable}

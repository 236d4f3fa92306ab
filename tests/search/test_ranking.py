"""core.search ranking: whole words, prefixes and typos, and the windows SQLite reads."""

from __future__ import annotations

import pytest

from amity.core import search
from tests.conftest import World
from tests.customers import helpers


def _titles(world: World, q: str, limit: int = 20) -> list[str]:
    return [h.title for h in search.query(world.member(world.alice), q, limit=limit)]


@pytest.mark.django_db
def test_it_ranks_a_name_above_the_same_word_later_in_the_record(world: World) -> None:
    helpers.person(world, first_name="Nora", last_name="Berg", email="nora@hanse.example")
    helpers.person(world, first_name="Hanne", last_name="Lie")
    assert _titles(world, "han") == ["Hanne Lie", "Nora Berg"]


@pytest.mark.django_db
def test_it_ranks_a_whole_word_above_more_prefix_matches_than_it_reads(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matches are read in bounded windows: whole words are read apart, so none is lost."""
    monkeypatch.setattr(search, "MATCH_WINDOW", 3)
    for n in range(12):
        helpers.person(world, first_name=f"Kari{n}", last_name="Hansen")
    helpers.person(world, first_name="Per", last_name="Hanna")
    helpers.person(world, first_name="Han", last_name="Solo")
    assert _titles(world, "han", limit=1) == ["Han Solo"]
    assert _titles(world, "han", limit=3)[0] == "Han Solo"
    assert _titles(world, "per hanna", limit=1) == ["Per Hanna"]


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("hansen", "hansen", True),
        ("hansen", "hamsen", True),  # one wrong
        ("hansen", "hnasen", True),  # two swapped
        ("hansen", "hansne", True),  # the last two swapped
        ("hansen", "hanssen", True),  # one too many
        ("hansen", "ansen", True),  # the first missing
        ("hansen", "hanse", True),  # the last missing
        ("hansen", "hxxsen", False),
        ("hansen", "hansenxx", False),
        ("hansen", "ahnsne", False),  # two swaps
        ("hansen", "nahsen", False),  # a swap of letters apart
        ("", "a", True),
    ],
)
def test_it_knows_words_one_edit_apart(a: str, b: str, near: bool) -> None:
    assert search._one_edit_apart(a, b) is near
    assert search._one_edit_apart(b, a) is near

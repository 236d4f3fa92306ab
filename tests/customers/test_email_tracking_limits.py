"""The per-address rate limit of the public email-tracking routes."""

from __future__ import annotations

import pytest
from django.test import Client

from amity.customers import email_tracking
from amity.customers.models import Person
from amity.customers.tracking_views import PIXEL
from tests.conftest import World
from tests.customers.test_email_tracking import (
    _click_tokens,
    _entries,
    _person,
    _pixel_token,
    _send,
    _tracking,
    _tracks,
)

LINK = "https://shop.example/faq"


@pytest.fixture
def ann(world: World) -> Person:
    _tracking(world.acme)
    return _person(world)


def _html(world: World, person: Person) -> str:
    html: str = _send(world, person, f"See {LINK}\n")["html"]
    return html


def test_the_pixel_past_the_limit_answers_the_image_and_counts_nothing(
    world: World, ann: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(email_tracking, "HITS_PER_MINUTE", 0)
    token = _pixel_token(_html(world, ann))

    response = Client(REMOTE_ADDR="203.0.113.7").get(f"/t/o/{token}.gif")

    assert response.status_code == 200 and response.content == PIXEL
    assert response["Content-Type"] == "image/gif"
    assert ("open", "", 0) in _tracks()
    assert _entries(ann) == []


def test_a_click_past_the_limit_still_goes_to_the_link_and_counts_nothing(
    world: World, ann: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(email_tracking, "HITS_PER_MINUTE", 0)
    token = _click_tokens(_html(world, ann))[0]

    response = Client(REMOTE_ADDR="203.0.113.7").get(f"/t/c/{token}/")

    assert response.status_code == 302 and response["Location"] == LINK
    assert ("link", LINK, 0) in _tracks()
    assert _entries(ann) == []


def test_the_limit_counts_per_client_address(
    world: World, ann: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(email_tracking, "HITS_PER_MINUTE", 2)
    html = _html(world, ann)
    opener = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert opener.get(f"/t/o/{_pixel_token(html)}.gif").content == PIXEL
    assert ("open", "", 2) in _tracks()

    token = _click_tokens(html)[0]
    assert Client(REMOTE_ADDR="198.51.100.1").get(f"/t/c/{token}/").status_code == 302
    assert ("link", LINK, 1) in _tracks()
    assert len(_entries(ann)) == 2  # the first open, the click

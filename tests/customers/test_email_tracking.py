"""Email tracking (opt-in): the HTML part with its pixel and rewritten links, the public
pixel and click routes, timeline entries, and the email_opened / link_clicked scoring rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.activities import scheduled_emails
from amity.activities.models import ScheduledEmail
from amity.core.models import OutboxMessage, User, Workspace
from amity.core.services import hash_token
from amity.customers import email_tracking
from amity.customers import services as customers
from amity.customers.models import EmailTrack, Person, TimelineEvent
from amity.customers.tracking_views import PIXEL
from amity.sales import leads, quotes
from amity.sales.models import PersonScore, ScoringRule
from tests.api.conftest import Api, api_as, body
from tests.conftest import World, tenant_guard_off
from tests.sales.quote_helpers import customer_deal, quote_with_lines

__all__ = ["api_as"]

BODY = "Hello Ann & co,\n\nour <offer>: https://shop.example/offer?a=1&b=2.\nSee https://shop.example/faq\n"


def _tracking(workspace: Workspace, on: bool = True) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(email_tracking=on)


def _person(world: World, *, consent: bool = True) -> Person:
    person = customers.create_person(world.member(world.alice), {"last_name": "Ann"})
    Person.objects.filter(pk=person.pk, workspace_id=person.workspace_id).update(
        email="ann@example.test", email_consent=consent
    )
    person.email, person.email_consent = "ann@example.test", consent
    return person


def _send(world: World, person: Person, body: str = BODY) -> dict[str, Any]:
    data = {"subject": "Our offer", "body": body, "send_at": timezone.now() + timedelta(hours=1)}
    scheduled_emails.schedule(world.member(world.bob), person, data)
    with tenant_guard_off():
        ScheduledEmail.objects.update(send_at=timezone.now() - timedelta(seconds=5))
    assert scheduled_emails.send_due() == 1
    with tenant_guard_off():
        payload: dict[str, Any] = OutboxMessage.objects.get().payload
    return payload


def _tracks() -> list[tuple[str, str, int]]:
    with tenant_guard_off():
        return list(EmailTrack.objects.order_by("id").values_list("kind", "url", "count"))


def _entries(person: Person) -> list[str]:
    with tenant_guard_off():
        return list(
            TimelineEvent.objects.filter(person_id=person.pk, data__has_key="tracking")
            .order_by("id")
            .values_list("summary", flat=True)
        )


def _pixel_token(html: str) -> str:
    found = re.search(r'/t/o/([\w-]+)\.gif"', html)
    assert found is not None
    return found.group(1)


def _click_tokens(html: str) -> list[str]:
    return re.findall(r'href="[^"]*/t/c/([\w-]+)/"', html)


def test_tracking_off_sends_only_the_plain_text(world: World) -> None:
    payload = _send(world, _person(world))
    assert "html" not in payload
    assert payload["body"] == BODY.strip()
    assert _tracks() == []


def test_no_consent_means_no_tracking_even_when_on(world: World) -> None:
    _tracking(world.acme)
    ann = _person(world, consent=False)
    assert email_tracking.tracked_html(world.acme.pk, ann, "Hi", BODY) == ""
    assert _tracks() == []


def test_the_html_part_escapes_the_text_and_tracks_opens_and_links(world: World) -> None:
    _tracking(world.acme)
    payload = _send(world, _person(world))
    html = payload["html"]
    # The plain text keeps the original links, untracked.
    assert "https://shop.example/offer?a=1&b=2" in payload["body"]
    assert "/t/" not in payload["body"]
    assert "<p>Hello Ann &amp; co,</p>" in html
    assert "our &lt;offer&gt;: <a href=" in html
    assert ">https://shop.example/offer?a=1&amp;b=2</a>.<br>" in html
    assert 'href="https://shop' not in html  # every link goes through the click route
    assert len(_click_tokens(html)) == 2
    assert re.search(r'<img src="http[^"]+/t/o/[\w-]+\.gif" width="1" height="1"', html)
    assert _tracks() == [
        ("link", "https://shop.example/offer?a=1&b=2", 0),
        ("link", "https://shop.example/faq", 0),
        ("open", "", 0),
    ]
    # Only the token's hash is stored.
    with tenant_guard_off():
        stored = set(EmailTrack.objects.values_list("token_hash", flat=True))
    raw = [_pixel_token(html), *_click_tokens(html)]
    assert stored == {hash_token(t) for t in raw}
    assert not stored & set(raw)


def test_the_pixel_records_the_first_open_on_the_timeline(world: World, client: Client) -> None:
    _tracking(world.acme)
    ann = _person(world)
    token = _pixel_token(_send(world, ann)["html"])
    for _ in range(2):
        response = client.get(f"/t/o/{token}.gif")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response["Cache-Control"] == "no-store"
        assert response.content == PIXEL
    with tenant_guard_off():
        track = EmailTrack.objects.get(kind="open")
    assert (track.count, track.workspace_id, track.person_id) == (2, world.acme.pk, ann.pk)
    assert track.first_seen_at is not None
    assert _entries(ann) == ["Opened the email “Our offer”"]


def test_an_unknown_pixel_still_answers_the_gif(client: Client, world: World) -> None:
    for path in ("/t/o/nope.gif", f"/t/o/{'x' * 300}.gif"):
        response = client.get(path)
        assert (response.status_code, response.content) == (200, PIXEL)
        assert response["Cache-Control"] == "no-store"


def test_a_click_redirects_only_to_its_recorded_url(world: World, client: Client) -> None:
    _tracking(world.acme)
    ann = _person(world)
    html = _send(world, ann)["html"]
    offer, faq = _click_tokens(html)
    response = client.get(f"/t/c/{offer}/")
    assert (response.status_code, response["Location"]) == (
        302,
        "https://shop.example/offer?a=1&b=2",
    )
    assert client.get(f"/t/c/{faq}/?next=https://evil.example/")["Location"] == (
        "https://shop.example/faq"
    )
    client.get(f"/t/c/{offer}/")
    assert _tracks()[:2] == [
        ("link", "https://shop.example/offer?a=1&b=2", 2),
        ("link", "https://shop.example/faq", 1),
    ]
    # Each click is on the timeline.
    assert _entries(ann) == [
        "Clicked https://shop.example/offer?a=1&b=2 in the email “Our offer”",
        "Clicked https://shop.example/faq in the email “Our offer”",
        "Clicked https://shop.example/offer?a=1&b=2 in the email “Our offer”",
    ]


def test_an_unknown_click_token_is_404(world: World, client: Client) -> None:
    _tracking(world.acme)
    pixel = _pixel_token(_send(world, _person(world))["html"])
    for path in ("/t/c/nope/", f"/t/c/{pixel}/", "/t/c/https%3A%2F%2Fevil.example/"):
        assert client.get(path).status_code == 404
    assert [count for kind, _url, count in _tracks() if kind == "open"] == [0]


def test_an_open_rule_gives_its_points_through_the_worker(
    world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _tracking(world.acme)
    alice = world.member(world.alice)
    opened = leads.add_rule(alice, "email_opened", "", 12)
    clicked = leads.add_rule(alice, "link_clicked", "", 5)
    ann = _person(world)
    html = _send(world, ann)["html"]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/t/o/{_pixel_token(html)}.gif")
    with tenant_guard_off():
        score = PersonScore.objects.get(person_id=ann.pk)
    assert score.score == 12
    assert score.reasons == [{"rule": opened.pk, "label": "opened an email", "points": 12}]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/t/c/{_click_tokens(html)[0]}/")
    with tenant_guard_off():
        score = PersonScore.objects.get(person_id=ann.pk)
    assert score.score == 17
    assert score.reasons[1] == {"rule": clicked.pk, "label": "clicked a link", "points": 5}


def test_a_quote_sent_to_the_deals_consenting_person_is_tracked(world: World) -> None:
    _tracking(world.acme)
    deal = customer_deal(world)
    Person.objects.filter(workspace_id=world.acme.pk, email="peter@initech.test").update(
        email_consent=True
    )
    quote = quote_with_lines(world, deal, [{"description": "Work", "unit_price": "10"}])
    quotes.send_quote(world.member(world.bob), quote)
    with tenant_guard_off():
        payload = OutboxMessage.objects.get().payload
    assert quotes.public_url(quote) in payload["body"]
    assert f'href="{quotes.public_url(quote)}"' not in payload["html"]
    assert len(_click_tokens(payload["html"])) == 1
    assert [(kind, url) for kind, url, _count in _tracks()] == [
        ("link", quotes.public_url(quote)),
        ("open", ""),
    ]


def test_a_quote_to_another_address_is_not_tracked(world: World) -> None:
    _tracking(world.acme)
    deal = customer_deal(world)
    Person.objects.filter(workspace_id=world.acme.pk).update(email_consent=True)
    quote = quote_with_lines(world, deal, [{"description": "Work", "unit_price": "10"}])
    quotes.send_quote(world.member(world.bob), quote, to="buyer@example.test")
    with tenant_guard_off():
        assert "html" not in OutboxMessage.objects.get().payload
    assert _tracks() == []


def test_a_quote_from_a_workspace_without_tracking_looks_no_one_up_for_it(world: World) -> None:
    quote = quote_with_lines(
        world, customer_deal(world), [{"description": "Work", "unit_price": "10"}]
    )
    member = world.member(world.bob)
    with CaptureQueriesContext(connection) as queries:
        quotes.send_quote(member, quote, to="peter@initech.test")
    people = [q["sql"] for q in queries.captured_queries if '"customers_person"' in q["sql"]]
    assert len(people) == 1  # the PDF's addressee, none for tracking
    with tenant_guard_off():
        assert "html" not in OutboxMessage.objects.get().payload


def test_purging_the_person_removes_their_tracking_and_the_links_then_404(
    world: World, client: Client
) -> None:
    _tracking(world.acme)
    ann = _person(world)
    html = _send(world, ann)["html"]
    client.get(f"/t/o/{_pixel_token(html)}.gif")
    customers.trash(world.member(world.alice), ann)
    customers.purge_expired_trash(world.acme.pk, now=timezone.now() + timedelta(days=31))
    assert _tracks() == []
    assert client.get(f"/t/c/{_click_tokens(html)[0]}/").status_code == 404
    assert client.get(f"/t/o/{_pixel_token(html)}.gif").content == PIXEL


def test_a_trashed_person_gets_no_timeline_entry_but_the_link_still_works(
    world: World, client: Client
) -> None:
    _tracking(world.acme)
    ann = _person(world)
    html = _send(world, ann)["html"]
    customers.trash(world.member(world.alice), ann)
    response = client.get(f"/t/c/{_click_tokens(html)[1]}/")
    assert response["Location"] == "https://shop.example/faq"
    assert _entries(ann) == []


def test_the_rules_screen_and_api_offer_the_email_behaviours(
    world: World, as_user: Callable[[User], Client], api_as: Callable[[User], Api]
) -> None:
    client = as_user(world.alice)
    page = client.get("/leads/rules/").content.decode()
    assert 'value="email_opened"' in page and 'value="link_clicked"' in page
    response = client.post(
        "/leads/rules/",
        {
            "form": "scoring",
            "scoring-attribute": "email_opened",
            "scoring-points": 12,
            "scoring-active": "on",
        },
    )
    assert response.status_code == 302
    created = api_as(world.alice).post(
        "/scoring-rules", {"attribute": "link_clicked", "value": "", "points": 5}
    )
    assert created.status_code == 201, created.content
    assert body(created)["attribute"] == "link_clicked"
    with tenant_guard_off():
        rules = ScoringRule.objects.order_by("id")
        assert [str(r) for r in rules] == ["opened an email", "clicked a link"]

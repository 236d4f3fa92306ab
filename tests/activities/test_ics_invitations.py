"""Invitations: a real SMTP server receives METHOD:REQUEST, updates and METHOD:CANCEL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import icalendar
from django.test import Client

from amity.activities import attendees, events
from amity.activities.models import Event, EventAttendee
from amity.core.models import Notification, User
from amity.customers.models import Person
from tests.conftest import SmtpServer, World, tenant_guard_off

Capture = Callable[..., Any]
START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)


def _person(world: World, email: str = "ann@customer.test") -> Person:
    return Person.objects.create(
        workspace=world.acme, first_name="Ann", last_name="Berg", email=email, owner=world.bob
    )


def _data(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Kick-off",
        "starts_at": START,
        "ends_at": START + timedelta(hours=1),
        "location": "https://meet.example/abc",
        **changes,
    }


def _ics(message: Message) -> tuple[str, icalendar.Calendar]:
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return part["Content-Type"], icalendar.Calendar.from_ical(payload)
    raise AssertionError("no text/calendar part")


def _invite(world: World, capture: Capture, *, send: bool = True) -> Event:
    member = world.member(world.bob)
    wanted = attendees.Wanted(
        users=[world.sam.pk], people=[_person(world).pk], emails=["Guest@Partner.test"]
    )
    with capture(execute=True):
        return attendees.create_event(member, _data(), wanted, send=send)


def test_external_attendees_get_a_request_and_members_a_notification(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    event = _invite(world, django_capture_on_commit_callbacks)

    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ann@customer.test",
        "guest@partner.test",
    ]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Invitation: Kick-off"
    assert message["Reply-To"] == "bob@acme.test"
    content_type, calendar = _ics(message)
    assert "method=REQUEST" in content_type.replace('"', "")
    assert str(calendar["method"]) == "REQUEST"
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["uid"]) == f"{event.uid}@amity"
    assert vevent["sequence"] == 0
    assert vevent.decoded("dtstart") == START
    assert str(vevent["organizer"]) == "mailto:bob@acme.test"
    guests = {str(a): a.params for a in vevent["attendee"]}
    assert set(guests) == {
        "mailto:ann@customer.test",
        "mailto:guest@partner.test",
        "mailto:sam@acme.test",
    }
    ann = guests["mailto:ann@customer.test"]
    assert (ann["RSVP"], ann["PARTSTAT"], ann["CN"]) == ("TRUE", "NEEDS-ACTION", "Ann Berg")
    with tenant_guard_off():
        notice = Notification.objects.get()
        assert (notice.recipient_id, notice.kind) == (world.sam.pk, "event")
        assert "Kick-off" in notice.text
        assert EventAttendee.objects.filter(invited_at__isnull=False).count() == 2


def test_an_update_sends_the_next_sequence_and_a_cancel_sends_method_cancel(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    event = _invite(world, django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    member = world.member(world.bob)

    with django_capture_on_commit_callbacks(execute=True):
        event = events.update_event(
            member,
            event,
            _data(starts_at=START + timedelta(hours=2), ends_at=START + timedelta(hours=3)),
            expected_version=event.version,
        )

    assert len(smtp_server.messages) == 2
    assert smtp_server.messages[0]["Subject"] == "Updated invitation: Kick-off"
    _, calendar = _ics(smtp_server.messages[0])
    vevent = calendar.walk("VEVENT")[0]
    assert (str(calendar["method"]), vevent["sequence"]) == ("REQUEST", 1)
    assert vevent.decoded("dtstart") == START + timedelta(hours=2)
    smtp_server.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        attendees.cancel_event(member, event, expected_version=event.version, send=True)

    assert len(smtp_server.messages) == 2
    content_type, calendar = _ics(smtp_server.messages[0])
    assert "method=CANCEL" in content_type.replace('"', "")
    vevent = calendar.walk("VEVENT")[0]
    assert (str(calendar["method"]), str(vevent["status"]), vevent["sequence"]) == (
        "CANCEL",
        "CANCELLED",
        2,
    )
    assert smtp_server.messages[0]["Subject"] == "Cancelled: Kick-off"
    with tenant_guard_off():
        assert Event.objects.get().deleted_at is not None
        kinds = list(Notification.objects.order_by("id").values_list("text", flat=True))
    assert len(kinds) == 3 and "cancelled" in kinds[-1]


def test_a_title_only_rename_is_an_update_but_a_kind_change_is_not(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    event = _invite(world, django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    member = world.member(world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        event = events.update_event(
            member, event, _data(kind="call"), expected_version=event.version
        )
    assert (event.sequence, smtp_server.messages) == (0, [])


def test_unticked_send_invitations_sends_no_email(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    _invite(world, django_capture_on_commit_callbacks, send=False)
    assert smtp_server.messages == []
    with tenant_guard_off():
        assert Notification.objects.count() == 1  # members are told in the app all the same


def test_removing_an_attendee_sends_them_a_cancellation(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    event = _invite(world, django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        attendees.update_event(
            world.member(world.bob),
            event,
            _data(),
            attendees.Wanted(users=[world.sam.pk], emails=["guest@partner.test"]),
            expected_version=event.version,
            send=True,
        )
    assert [m["To"] for m in smtp_server.messages] == ["ann@customer.test"]
    _, calendar = _ics(smtp_server.messages[0])
    assert str(calendar["method"]) == "CANCEL"


def test_the_event_form_saves_attendees_and_invites(
    world: World,
    as_user: Callable[[User], Client],
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    person = _person(world)
    client = as_user(world.bob)
    assert b'name="members"' in client.get("/calendar/new/").content
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            "/calendar/new/",
            {
                "title": "Demo",
                "kind": "meeting",
                "date": "2031-03-04",
                "start": "09:00",
                "end": "10:00",
                "members": [str(world.sam.pk)],
                "people": [str(person.pk)],
                "emails": "x@partner.test, y@partner.test",
                "send_invitations": "on",
            },
        )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "ann@customer.test",
        "x@partner.test",
        "y@partner.test",
    ]
    with tenant_guard_off():
        event = Event.objects.get()
    page = client.get(f"/calendar/events/{event.pk}/")
    assert b"x@partner.test" in page.content and b"Ann Berg" in page.content
    bad = client.post(
        f"/calendar/events/{event.pk}/",
        {
            "title": "Demo",
            "kind": "meeting",
            "date": "2031-03-04",
            "start": "09:00",
            "end": "10:00",
            "version": event.version,
            "emails": "not-an-email",
        },
    )
    assert bad.status_code == 400
    assert b"not-an-email is not an email address." in bad.content


def test_cancelling_on_the_event_page(
    world: World,
    as_user: Callable[[User], Client],
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    event = _invite(world, django_capture_on_commit_callbacks)
    smtp_server.messages.clear()
    client = as_user(world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/calendar/events/{event.pk}/delete/",
            {"version": event.version, "send_invitations": "1"},
        )
    assert done.status_code == 302
    assert len(smtp_server.messages) == 2
    assert client.get(f"/calendar/events/{event.pk}/").status_code == 404


def test_purging_or_erasing_a_person_takes_them_off_events(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    from amity.customers import privacy, timeline

    event = _invite(world, django_capture_on_commit_callbacks)
    with tenant_guard_off():
        ann = Person.objects.get(email="ann@customer.test")
        Event.objects.filter(pk=event.pk).update(person=ann)
        sections = privacy.collect(ann)
        assert [a["email"] for a in sections["event_attendance"]] == ["ann@customer.test"]
    timeline.forget(world.acme.pk, "person", [ann.pk])
    with tenant_guard_off():
        assert Event.objects.get().person_id is None
        assert not EventAttendee.objects.filter(person=ann).exists()

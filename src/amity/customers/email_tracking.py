"""Opt-in email engagement tracking: did a person open an email, click one of its links.

Only when the workspace has turned `email_tracking` on and the person consented to
email does an email get an HTML part: the text escaped into paragraphs, an
invisible 1×1 image (`/t/o/<token>.gif`) and every http(s) link rewritten to
`/t/c/<token>/`. The plain-text part keeps the original links, untracked.

Each token is random (`secrets.token_urlsafe`) and only its SHA-256 is stored,
like API tokens: the raw token lives only in the email. The public routes look a
token up across workspaces (nothing else in the request names one) and from then
on work within the token's workspace.

The first open and every click add a timeline entry on the person and call the
registered engagement hooks (sales rescores the person: the `email_opened` and
`link_clicked` scoring rules read `has_opened` / `has_clicked`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.translation import gettext as _

from amity.core import rate_limit
from amity.core.models import User, Workspace
from amity.core.services import hash_token
from amity.customers import timeline
from amity.customers.models import EmailTrack, EmailTrackHit, Person

Kind = EmailTrack.Kind
MAX_TOKEN = 100
MAX_URL = 2000
# A URL ends at whitespace or a character that cannot be in one unescaped; punctuation
# closing the sentence ("see https://x.example.") is not part of it.
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_PARAGRAPHS = re.compile(r"\n\s*\n")
# Opens and clicks counted per client address and minute in a workspace. Mail clients
# fetch the pixel on every view, and a company's mail gateway or an image proxy
# fetches for many readers from one address, so the limit is generous; it stops a
# script from filling timelines and rescoring people.
HITS_PER_MINUTE = 120

# (workspace id, person id, kind) → None; called after an open or click is recorded.
EngagementHook = Callable[[int, int, str], None]
_hooks: list[EngagementHook] = []


def register_engagement_hook(hook: EngagementHook) -> None:
    """Hear about a person's first open and every click (inside the recording transaction)."""
    if hook not in _hooks:
        _hooks.append(hook)


def _site_url(path: str) -> str:
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"


def _new_track(workspace_id: int, person: Person, kind: str, subject: str, url: str = "") -> str:
    raw = secrets.token_urlsafe(24)
    EmailTrack.objects.create(
        workspace_id=workspace_id,
        person_id=person.pk,
        kind=kind,
        url=url,
        subject=subject[:200],
        token_hash=hash_token(raw),
    )
    return raw


def is_tracked(workspace_id: int, person: Person) -> bool:
    """Whether an email to the person may be tracked: the workspace opted in, they consented."""
    if not person.email or not person.email_consent or person.workspace_id != workspace_id:
        return False
    return Workspace.objects.filter(pk=workspace_id, email_tracking=True).exists()


def _split_url(candidate: str) -> tuple[str, str]:
    """Return the URL and the sentence punctuation that followed it."""
    url = candidate.rstrip(_TRAILING)
    # A closing bracket belongs to the URL when it opened one inside it (Wikipedia style).
    while candidate[len(url) : len(url) + 1] == ")" and url.count("(") > url.count(")"):
        url += ")"
    return url, candidate[len(url) :]


def _linked(text: str, link_for: Callable[[str], str]) -> str:
    """Escape `text`, making each http(s) URL in it a link to `link_for(url)`."""
    out: list[str] = []
    at = 0
    for match in _URL.finditer(text):
        url, rest = _split_url(match.group())
        out.append(escape(text[at : match.start()]))
        if len(url) <= MAX_URL:
            out.append(f'<a href="{escape(link_for(url))}">{escape(url)}</a>')
        else:
            out.append(escape(url))
        out.append(escape(rest))
        at = match.end()
    out.append(escape(text[at:]))
    return "".join(out)


def tracked_html(workspace_id: int, person: Person, subject: str, body: str) -> str:
    """Return the tracked HTML part of an email to the person, or "" when not tracked.

    Writes one open row and one row per distinct link; call it in the transaction
    that queues the email, so a rolled-back send leaves no rows behind.
    """
    if not is_tracked(workspace_id, person):
        return ""
    tokens: dict[str, str] = {}

    def link_for(url: str) -> str:
        if url not in tokens:
            tokens[url] = _new_track(workspace_id, person, Kind.LINK, subject, url)
        return _site_url(reverse("customers:track_click", args=[tokens[url]]))

    paragraphs = [p.strip("\n") for p in _PARAGRAPHS.split(body.replace("\r\n", "\n"))]
    html = "".join(
        "<p>" + _linked(p, link_for).replace("\n", "<br>\n") + "</p>\n" for p in paragraphs if p
    )
    pixel = _site_url(
        reverse("customers:track_open", args=[_new_track(workspace_id, person, Kind.OPEN, subject)])
    )
    return (
        "<!DOCTYPE html>\n<html><body>\n"
        f"{html}"
        f'<img src="{escape(pixel)}" width="1" height="1" alt="" style="border:0">\n'
        "</body></html>\n"
    )


def _find(raw: str, kind: str) -> EmailTrack | None:
    if not raw or len(raw) > MAX_TOKEN:
        return None
    digest = hash_token(raw)
    found = EmailTrack.objects.filter(token_hash=digest, kind=kind).first()
    if found is None or not secrets.compare_digest(found.token_hash, digest):
        return None
    return found


@transaction.atomic
def _record(raw: str, kind: str, ip: str) -> EmailTrack | None:
    track = _find(raw, kind)
    if track is None:
        return None
    # The counter keeps a keyed hash, not the reader's address.
    address = salted_hmac("amity.email_tracking.hit", ip, algorithm="sha256").hexdigest()[:32]
    if rate_limit.count_hit(EmailTrackHit, track.workspace_id, address) > HITS_PER_MINUTE:
        return track
    now = timezone.now()
    mine = EmailTrack.objects.filter(workspace_id=track.workspace_id, pk=track.pk)
    first = bool(mine.filter(first_seen_at__isnull=True).update(first_seen_at=now, count=1))
    if not first:
        mine.update(count=F("count") + 1)
    if kind == Kind.OPEN and not first:
        return track
    person = Person.objects.filter(
        workspace_id=track.workspace_id, pk=track.person_id, deleted_at__isnull=True
    ).first()
    if person is None:
        return track
    # The customer's browser picks the request's language; the entry is for the team.
    with translation.override(settings.LANGUAGE_CODE):
        if kind == Kind.OPEN:
            summary = _("Opened the email “%(subject)s”") % {"subject": track.subject}
        else:
            summary = _("Clicked %(url)s in the email “%(subject)s”") % {
                "url": track.url,
                "subject": track.subject,
            }
    timeline.add(
        track.workspace_id,
        person,
        timeline.Kind.EMAIL,
        summary,
        {"tracking": kind, "subject": track.subject, "url": track.url},
        occurred_at=now,
        source=timeline.Source("customers", "email_track", track.pk),
    )
    for hook in _hooks:
        hook(track.workspace_id, person.pk, kind)
    return track


def record_open(raw: str, ip: str) -> None:
    """Count an open of the email whose pixel token this is; unknown tokens are ignored.

    Past the per-address limit nothing is counted.
    """
    _record(raw, Kind.OPEN, ip)


def record_click(raw: str, ip: str) -> str | None:
    """Count a click on the tracked link and return where it goes; None for an unknown token.

    Past the per-address limit the click is not counted, but still goes to its link.
    """
    track = _record(raw, Kind.LINK, ip)
    return track.url if track is not None else None


def url_of(raw: str) -> str | None:
    """Return where a tracked link goes without counting a click (a HEAD request)."""
    track = _find(raw, Kind.LINK)
    return track.url if track is not None else None


def has_opened(workspace_id: int, person_id: int) -> bool:
    return EmailTrack.objects.filter(
        workspace_id=workspace_id, person_id=person_id, kind=Kind.OPEN, count__gt=0
    ).exists()


def has_clicked(workspace_id: int, person_id: int) -> bool:
    return EmailTrack.objects.filter(
        workspace_id=workspace_id, person_id=person_id, kind=Kind.LINK, count__gt=0
    ).exists()


# Purge and data-subject rights ---------------------------------------------------


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Delete the tracking rows of people about to be deleted for good."""
    if subject_type == "person":
        EmailTrack.objects.filter(workspace_id=workspace_id, person_id__in=ids).delete()


def export(person: Person) -> list[dict[str, Any]]:
    """Return what was recorded about the person's opens and clicks (not the tokens)."""
    rows = EmailTrack.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk, count__gt=0
    ).order_by("first_seen_at", "id")
    return [
        {
            "kind": t.kind,
            "subject": t.subject,
            "url": t.url,
            "first_seen_at": t.first_seen_at.isoformat() if t.first_seen_at else None,
            "count": t.count,
        }
        for t in rows
    ]


def erase(person: Person, by: User | None) -> int:
    """Delete every tracking row of the person; their old emails' links then answer 404."""
    count, _detail = EmailTrack.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk
    ).delete()
    return count

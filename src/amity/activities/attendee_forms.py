"""The attendees part of the event form: members, customer people, other emails."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.activities.attendees import Wanted
from amity.core.models import Membership
from amity.customers.forms import member_users

SEPARATORS = re.compile(r"[\s,;]+")


class AttendeesForm(forms.Form):
    members = forms.TypedMultipleChoiceField(
        label=_("Colleagues"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They see it in their calendar and get a notification."),
    )
    people = forms.TypedMultipleChoiceField(
        label=_("Customer people"),
        coerce=int,
        required=False,
        help_text=_("Find people by name; they are invited at their primary email."),
    )
    emails = forms.CharField(
        label=_("Other email addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separate them with commas or new lines."),
    )
    send_invitations = forms.BooleanField(
        label=_("Send invitations and updates by email (with an .ics file)"),
        required=False,
        initial=True,
    )

    def __init__(
        self,
        member: Membership,
        *args: Any,
        people: list[tuple[int, str]] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        users = member_users(member).exclude(pk=member.user_id).only("id", "full_name", "email")
        self.fields["members"].choices = [(u.pk, str(u)) for u in users]  # type: ignore[attr-defined]
        self.fields["people"].choices = people or []  # type: ignore[attr-defined]

    def wanted(self) -> Wanted:
        c = self.cleaned_data
        emails = [e for e in SEPARATORS.split(c.get("emails") or "") if e]
        return Wanted(users=c["members"], people=c["people"], emails=emails)


def attendees_form(
    member: Membership, data: Any = None, wanted: Wanted | None = None
) -> AttendeesForm:
    """Build the form from posted data, or from an event's present attendees (`wanted`)."""
    from amity.activities.interop_views import people_choices

    if data is not None:
        chosen = [int(v) for v in data.getlist("people")[:100] if v.isdigit() and len(v) < 18]
        initial = None
    else:
        wanted = wanted or Wanted()
        chosen = wanted.people
        initial = {
            "members": wanted.users,
            "people": wanted.people,
            "emails": "\n".join(wanted.emails),
            "send_invitations": True,
        }
    options = people_choices(member, "", chosen)
    return AttendeesForm(
        member, data, initial=initial, people=[(o["id"], o["label"]) for o in options]
    )

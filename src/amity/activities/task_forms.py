from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.activities.models import Task
from amity.core.models import Membership, Team
from amity.customers.forms import member_users

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
RELATED_TYPES = [("", "—"), ("person", _("person")), ("company", _("company"))]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Leave empty for any time that day."),
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Task.Priority.choices, coerce=int, initial=2
    )
    owner = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, empty_value=None, required=False
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, empty_value=None, required=False)
    related_type = forms.ChoiceField(label=_("About a"), choices=RELATED_TYPES, required=False)
    related_id = forms.IntegerField(
        label=_("Record number"), required=False, min_value=1, max_value=2**62
    )
    repeat = forms.ChoiceField(label=_("Repeats"), choices=Task.Repeat.choices, required=False)
    repeat_every = forms.IntegerField(
        label=_("Every"), min_value=1, max_value=999, initial=1, required=False
    )
    repeat_weekdays = forms.MultipleChoiceField(
        label=_("On"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    remind = forms.TypedChoiceField(
        label=_("Remind the assignee"),
        choices=[
            ("", _("No reminder")),
            ("0", _("When it is due")),
            ("15", _("15 minutes before")),
            ("60", _("1 hour before")),
            ("1440", _("1 day before")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    remind_email = forms.BooleanField(label=_("Also by email"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, member: Membership, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)
        owner.choices = [("", "—"), *((u.pk, str(u)) for u in member_users(member))]
        team = self.fields["team"]
        assert isinstance(team, forms.TypedChoiceField)
        team.choices = [
            ("", "—"),
            *Team.objects.filter(workspace_id=member.workspace_id).values_list("pk", "name"),
        ]

    def service_data(self, member: Membership) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if data.get("owner") is None and data.get("team") is None:
            data["owner"] = member.user_id
        data["repeat_weekdays"] = "".join(data.get("repeat_weekdays") or [])
        data["repeat_every"] = data.get("repeat_every") or 1
        return data

    @classmethod
    def initial_from(cls, task: Task) -> dict[str, Any]:
        return {
            "title": task.title,
            "description": task.description,
            "due_date": task.due_date,
            "due_time": task.due_time,
            "priority": task.priority,
            "owner": task.owner_id,
            "team": task.team_id,
            "related_type": "person" if task.person_id else "company" if task.company_id else "",
            "related_id": task.person_id or task.company_id,
            "repeat": task.repeat,
            "repeat_every": task.repeat_every,
            "repeat_weekdays": list(task.repeat_weekdays),
            "version": task.version,
        }


class ReassignForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("New assignee"), coerce=int)

    def __init__(self, member: Membership, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)
        owner.choices = [(u.pk, str(u)) for u in member_users(member)]

    def task_ids(self) -> list[int]:
        """Return the chosen task ids (the checkboxes of the list), ignoring junk."""
        values: list[str] = self.data.getlist("tasks")  # type: ignore[attr-defined]
        return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19]


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"), choices=[("call", _("Call")), ("meeting", _("Meeting"))]
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("outbound", _("Outbound")), ("inbound", _("Inbound"))],
        required=False,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("connected", _("Connected")),
            ("no_answer", _("No answer")),
            ("voicemail", _("Left a voicemail")),
            ("busy", _("Busy")),
            ("held", _("Meeting held")),
            ("no_show", _("No-show")),
            ("rescheduled", _("Rescheduled")),
        ],
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=0, max_value=1440, required=False
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AlertPreferenceForm(forms.Form):
    task_assigned_app = forms.BooleanField(label=_("In the bell"), required=False)
    task_assigned_email = forms.BooleanField(label=_("By email"), required=False)
    reminder_app = forms.BooleanField(label=_("In the bell"), required=False)
    reminder_email = forms.BooleanField(label=_("By email"), required=False)
    digest = forms.BooleanField(
        label=_("Email me a digest of my overdue and today's tasks each morning"), required=False
    )


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("What"), choices=[("meeting", _("Meeting")), ("call", _("Call"))]
    )
    all_day = forms.BooleanField(label=_("All day"), required=False)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    # All-day events: the last day (empty: the same day); timed events use start and end.
    end_date = forms.DateField(
        label=_("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    start = forms.TimeField(
        label=_("Starts"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=_("Ends"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    location = forms.CharField(label=_("Location or video link"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("all_day"):
            if cleaned.get("date") and not cleaned.get("end_date"):
                cleaned["end_date"] = cleaned["date"]
        else:
            for name in ("start", "end"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Enter a time, or tick “All day”."))
        return cleaned

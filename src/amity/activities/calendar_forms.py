"""Forms of the calendar screens that are not the event's own (see task_forms.EventForm)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.activities.task_forms import WEEKDAYS


class WorkingHoursForm(forms.Form):
    day_starts = forms.TimeField(
        label=_("My working day starts"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    day_ends = forms.TimeField(
        label=_("and ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Working days"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        starts, ends = cleaned.get("day_starts"), cleaned.get("day_ends")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("day_ends", _("End the working day after it starts."))
        return cleaned

"""Forms for reminders, scheduled emails, event reminders and editing logged calls."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.activities import reminder_services, reminders

LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def offset_label(minutes: int) -> str:
    """Return how an offset reads: "10 minutes before", "1 day before"…"""
    from django.utils.translation import gettext, ngettext

    if minutes == 0:
        return gettext("At the start")
    if minutes % reminders.DAY == 0:
        days = minutes // reminders.DAY
        return ngettext("%(n)d day before", "%(n)d days before", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d hour before", "%(n)d hours before", hours) % {"n": hours}
    return ngettext("%(n)d minute before", "%(n)d minutes before", minutes) % {"n": minutes}


class RemindMeForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Remind me"),
        choices=list(reminder_services.PRESETS.items()),
        initial="tomorrow",
    )
    custom = forms.DateTimeField(
        label=_("On"),
        required=False,
        widget=LOCAL_INPUT,
        help_text=_("For a custom time, in your time zone."),
    )
    note = forms.CharField(label=_("About"), max_length=500, required=False)
    in_app = forms.BooleanField(label=_("In the bell"), required=False, initial=True)
    email = forms.BooleanField(label=_("By email"), required=False)


class ScheduledEmailForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    send_at = forms.DateTimeField(
        label=_("Send at"), widget=LOCAL_INPUT, help_text=_("In your time zone.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EventRemindersForm(forms.Form):
    offsets = forms.TypedMultipleChoiceField(
        label=_("Remind"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    in_app = forms.BooleanField(label=_("In the bell"), required=False, initial=True)
    email = forms.BooleanField(label=_("By email"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["offsets"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(m, offset_label(m)) for m in reminders.EVENT_OFFSETS]


class InteractionEditForm(forms.Form):
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
    occurred_at = forms.DateTimeField(label=_("When"), widget=LOCAL_INPUT)
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

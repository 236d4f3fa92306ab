from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.activities.services import MAX_BODY


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Note"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Markdown works. Mention a colleague with @ and their email name, e.g. @alice."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

"""Forms of the login, account and workspace administration screens."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from amity.core import outbox
from amity.core.models import AuditEvent, Role, Team, User

PASSWORD_MAX = 1024


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=PASSWORD_MAX,
        strip=False,
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class TotpConfirmForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits the app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CurrentPasswordForm(forms.Form):
    """A form that only proceeds when the user types their current password."""

    current_password = forms.CharField(
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=PASSWORD_MAX,
        strip=False,
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = str(self.cleaned_data["current_password"])
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your current password."))
        return password


class EmailChangeForm(CurrentPasswordForm):
    email = forms.EmailField(label=_("New email"), max_length=254)

    field_order = ["email", "current_password"]

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("Another account uses this address."))
        return email


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm[User]):
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"))

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone", "email_on_mention"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language, zone = self.fields["language"], self.fields["time_zone"]
        assert isinstance(language, forms.ChoiceField) and isinstance(zone, forms.ChoiceField)
        language.choices = [("", _("As my browser asks")), *settings.LANGUAGES]
        zone.choices = time_zone_choices()


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none())
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )

    def __init__(self, workspace_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        team_field = self.fields["team"]
        assert isinstance(role_field, forms.ModelChoiceField)
        assert isinstance(team_field, forms.ModelChoiceField)
        role_field.queryset = Role.objects.filter(workspace_id=workspace_id)
        team_field.queryset = Team.objects.filter(workspace_id=workspace_id)


class MemberForm(InviteForm):
    """A member's role and team (the invitation form without the address)."""

    email = None  # type: ignore[assignment]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=80)


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=PASSWORD_MAX,
        strip=False,
        help_text=_("At least 8 characters; a long phrase is best."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=PASSWORD_MAX,
        strip=False,
    )

    def __init__(self, email: str, *args: Any, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth import password_validation

        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            probe = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=120)
    require_2fa = forms.BooleanField(
        label=_("Require two-factor authentication of every member"), required=False
    )
    # Optional so that a form posted without it keeps the zone the workspace has.
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates such as a quote's “valid until” end at midnight in this zone."),
    )
    email_tracking = forms.BooleanField(
        label=_("Track when customers open emails and click their links"),
        required=False,
        help_text=_(
            "Only for people who consented to email: an invisible image and rewritten links "
            "add “opened” and “clicked” to their timeline and score."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [("", "—"), *time_zone_choices()]


class AuditFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.CharField(label=_("Object type"), max_length=40, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=40, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, actors: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor, action = self.fields["actor"], self.fields["action"]
        assert isinstance(actor, forms.ChoiceField) and isinstance(action, forms.ChoiceField)
        actor.choices = [("", _("Anyone")), *actors]
        action.choices = [("", _("Any action")), *AuditEvent.Action.choices]


class OutboxPasswordResetForm(PasswordResetForm):
    """Send the reset link through the outbox, so the worker delivers it with retries."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        path = reverse(
            "core:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        context = {**context, "reset_link": f"{settings.SITE_URL.rstrip('/')}{path}"}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox.queue_email(to=[to_email], subject=subject, body=body)

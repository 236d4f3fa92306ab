"""Forms for the lead rules screen, the lead edit page and the people on a deal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.core.models import Membership, Team, User
from amity.customers.models import Person, Size
from amity.sales.deal_people import SUGGESTED_ROLES
from amity.sales.models import AssignmentRule, IncomeBracket, LeadPriority, ScoringRule

COUNTRIES_HELP = _("Two-letter codes separated by commas; empty for any country.")
SOURCE_HELP = _("Such as web, api, import or manual; empty for any source.")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class _RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=100000, initial=0)
    source = forms.CharField(
        label=_("Source"), max_length=40, required=False, help_text=SOURCE_HELP
    )
    countries = forms.CharField(
        label=_("Countries"), max_length=200, required=False, help_text=COUNTRIES_HELP
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AssignmentRuleForm(_RuleForm):
    strategy = forms.ChoiceField(label=_("Assign to"), choices=AssignmentRule.Strategy.choices)
    user = forms.TypedChoiceField(label=_("Member"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, member: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(
            memberships__workspace_id=member.workspace_id, memberships__is_active=True
        ).order_by("email")
        teams = Team.objects.filter(workspace_id=member.workspace_id).order_by("name")
        self.fields["user"].choices = _blank((u.pk, str(u)) for u in users)  # type: ignore[attr-defined]
        self.fields["team"].choices = _blank((t.pk, t.name) for t in teams)  # type: ignore[attr-defined]


class ClassificationRuleForm(_RuleForm):
    company_size = forms.ChoiceField(
        label=_("Company size"), choices=_blank(Size.choices), required=False
    )
    email_domain = forms.CharField(label=_("Email domain"), max_length=100, required=False)
    segment = forms.CharField(label=_("Set segment"), max_length=60, required=False)
    priority = forms.ChoiceField(
        label=_("Set priority"), choices=_blank(LeadPriority.choices), required=False
    )


class ScoringRuleForm(forms.Form):
    attribute = forms.ChoiceField(label=_("Attribute"), choices=ScoringRule.Attribute.choices)
    value = forms.CharField(label=_("Value"), max_length=100, required=False)
    points = forms.IntegerField(label=_("Points"), min_value=-1000, max_value=1000)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class LeadEditForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    company_size = forms.ChoiceField(
        label=_("Company size"), choices=_blank(Size.choices), required=False
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    income_bracket = forms.ChoiceField(
        label=_("Income bracket"), choices=_blank(IncomeBracket.choices), required=False
    )
    country = forms.RegexField(
        label=_("Country"), regex=r"^[A-Za-z]{2}$", max_length=2, required=False
    )
    source = forms.CharField(label=_("Source"), max_length=40, required=False)
    message = forms.CharField(
        label=_("Message"), max_length=5000, required=False, widget=forms.Textarea
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DealPersonForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)
    role = forms.CharField(
        label=_("Role"),
        max_length=60,
        required=False,
        help_text=_("Decision maker, champion, influencer, user, other, or your own words."),
        widget=forms.TextInput(attrs={"list": "deal-roles"}),
    )

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, str(p)) for p in people]  # type: ignore[attr-defined]


class DealRoleForm(forms.Form):
    role = forms.CharField(label=_("Role"), max_length=60, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


ROLE_SUGGESTIONS = list(SUGGESTED_ROLES.values())

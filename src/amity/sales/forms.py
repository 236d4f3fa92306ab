"""Forms for deals and the sales settings: they check input, the services save it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.core.models import Membership, User
from amity.customers.forms import company_choices, member_users
from amity.sales.models import Deal, ScoringRule


class DealForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=0, initial=0
    )
    currency = forms.RegexField(
        label=_("Currency"), regex=r"^[A-Za-z]{3}$", max_length=3, min_length=3
    )
    expected_close = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    company = forms.TypedChoiceField(
        label=_("Company"), required=False, coerce=int, empty_value=None
    )
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Owner"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self, *args: Any, member: Membership, instance: Deal | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "amount": instance.amount,
                "currency": instance.currency,
                "expected_close": instance.expected_close,
                "company": instance.company_id,
                "owner": instance.owner_id,
                "version": instance.version,
            }
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_users(member)  # type: ignore[attr-defined]
        self.fields["company"].choices = company_choices(  # type: ignore[attr-defined]
            member, selected=instance.company if instance and instance.company_id else None
        )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        owner = data.get("owner")
        return {
            "name": data["name"],
            "amount": data["amount"],
            "currency": data["currency"].upper(),
            "expected_close": data.get("expected_close"),
            "company": data.get("company"),
            "owner": owner.pk if owner is not None else None,
        }

    def expected_version(self) -> int:
        return int(self.cleaned_data.get("version") or 1)


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Pipeline name"), max_length=100)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Stage name"), max_length=100)
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100)
    rotting_days = forms.IntegerField(
        label=_("Rotting after (days)"), min_value=1, max_value=3650, required=False
    )
    is_won = forms.BooleanField(label=_("Won stage"), required=False)
    is_lost = forms.BooleanField(label=_("Lost stage"), required=False)


class CurrencyForm(forms.Form):
    base_currency = forms.RegexField(
        label=_("Base currency"), regex=r"^[A-Za-z]{3}$", max_length=3, min_length=3
    )


class RateForm(forms.Form):
    currency = forms.RegexField(
        label=_("Currency"), regex=r"^[A-Za-z]{3}$", max_length=3, min_length=3
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(
        label=_("Rate (base units per unit)"), max_digits=18, decimal_places=8, min_value=0
    )


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Lost reason"), max_length=100)


class ScoringRuleForm(forms.Form):
    attribute = forms.ChoiceField(label=_("Attribute"), choices=ScoringRule.Attribute.choices)
    value = forms.CharField(label=_("Value"), max_length=100, required=False)
    points = forms.IntegerField(label=_("Points"), min_value=-1000, max_value=1000)

"""Forms for companies and people: they check input, the services save it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.core import access
from amity.core.models import Membership, User
from amity.customers import custom_fields, fields, services
from amity.customers.models import (
    ADDRESS_FIELDS,
    ADDRESS_KINDS,
    Company,
    ContactType,
    CustomField,
    Person,
)
from amity.customers.validators import validate_iban

COMPANY_CHOICES_SHOWN = 50
ADDRESS_LABELS = {
    "street": gettext_lazy("Street"),
    "city": gettext_lazy("City"),
    "postal_code": gettext_lazy("Postal code"),
    "region": gettext_lazy("Region"),
    "country": gettext_lazy("Country"),
}
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
CF = "cf_"  # prefix of custom fields' form field names
# Service error keys that name a form field of another name.
ERROR_FIELDS = {"emails": "more_emails", "phones": "more_phones"}


def custom_form_field(definition: CustomField, current: str = "") -> forms.Field:
    """Return the form field that edits one custom field's value."""
    Type = CustomField.Type
    kind = definition.type
    options: dict[str, Any] = {
        "label": definition.label,
        "required": definition.required and kind not in (Type.CHECKBOX, Type.SENSITIVE),
        "help_text": definition.help_text,
    }
    if kind == Type.LONG_TEXT:
        return forms.CharField(
            max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}), **options
        )
    if kind == Type.NUMBER:
        return forms.DecimalField(max_digits=24, decimal_places=6, **options)
    if kind == Type.MONEY:
        options["help_text"] = definition.help_text or _(
            "An amount and a currency, such as 1200.50 EUR."
        )
        return forms.CharField(max_length=40, **options)
    if kind == Type.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **options)
    if kind == Type.SELECT:
        choices = [("", "—"), *[(o, o) for o in definition.options]]
        return forms.ChoiceField(choices=choices, **options)
    if kind == Type.MULTI_SELECT:
        return forms.MultipleChoiceField(
            choices=[(o, o) for o in definition.options],
            widget=forms.CheckboxSelectMultiple,
            **options,
        )
    if kind == Type.CHECKBOX:
        return forms.BooleanField(**options)
    if kind == Type.URL:
        return forms.URLField(max_length=300, assume_scheme="https", **options)
    if kind == Type.EMAIL:
        return forms.EmailField(**options)
    if kind == Type.SENSITIVE:
        if current:
            options["help_text"] = _("Now %(masked)s. Leave blank to keep it.") % {
                "masked": current
            }
        return forms.CharField(
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            **options,
        )
    return forms.CharField(max_length=500, **options)


def _custom_initial(definition: CustomField, value: Any) -> Any:
    if value is None:
        return None
    if definition.type == CustomField.Type.MONEY and isinstance(value, dict):
        return f"{value.get('amount', '')} {value.get('currency', '')}"
    return value


def _custom_value(definition: CustomField, value: Any) -> Any:
    """Return a cleaned form value in the shape custom_fields.clean_value takes."""
    Type = CustomField.Type
    if value in (None, "", []):
        return None
    if definition.type == Type.NUMBER:
        return str(value)
    if definition.type == Type.DATE:
        return value.isoformat()
    if definition.type == Type.MONEY:
        amount, _sep, currency = str(value).strip().rpartition(" ")
        return {"amount": amount.strip() or currency, "currency": currency if amount else ""}
    return value


def _contact_lines(items: list[dict[str, Any]]) -> str:
    return "\n".join(f"{item['type']}: {item['value']}" for item in items)


def _parse_contact_lines(text: str) -> list[dict[str, str]]:
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        kind, sep, value = line.partition(":")
        if sep and kind.strip().lower() in ContactType.values:
            entries.append({"value": value.strip(), "type": kind.strip().lower()})
        else:
            entries.append({"value": line, "type": ContactType.OTHER})
    return entries


def member_users(member: Membership) -> QuerySet[User]:
    """Return the active users of the member's workspace, for owner choices."""
    return User.objects.filter(
        memberships__workspace_id=member.workspace_id, memberships__is_active=True
    ).order_by("full_name", "email")


def company_choices(
    member: Membership, q: str = "", selected: Company | None = None
) -> list[tuple[str, str]]:
    """Return a short list of visible companies (matching `q`) plus the selected one."""
    qs = access.visible(member, Company).only("id", "name")
    if q.strip():
        qs = qs.filter(name__istartswith=q.strip())
    rows = [(str(c.pk), c.name) for c in qs.order_by("name", "id")[:COMPANY_CHOICES_SHOWN]]
    if selected is not None and str(selected.pk) not in {pk for pk, _ in rows}:
        rows.insert(0, (str(selected.pk), selected.name))
    return [("", "—"), *rows]


class RecordForm(forms.Form):
    """Fields shared by companies and people: owner, addresses, the version held."""

    model: type[Company] | type[Person]
    text_fields: list[str]

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        member: Membership,
        instance: Company | Person | None = None,
        **kwargs: Any,
    ) -> None:
        fill = instance is not None and "initial" not in kwargs
        if instance is not None and fill:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.member = member
        self.instance = instance
        model_fields = forms.fields_for_model(self.model, fields=self.text_fields)
        for name, field in model_fields.items():
            if name in ADDRESS_FIELDS:
                # The fieldset's legend says billing or shipping.
                field.label = ADDRESS_LABELS[name.split("_", 1)[1]]
            if name.endswith("_country"):
                field.help_text = _("Two-letter code, such as NO or GB.")
            self.fields[name] = field
        self.fields["owner"] = forms.ModelChoiceField(
            queryset=member_users(member),
            required=False,
            label=_("Owner"),
            empty_label=_("Nobody"),
        )
        if instance is None:
            self.fields["owner"].initial = member.user_id
        self.fields["tags"] = forms.CharField(
            label=_("Tags"),
            required=False,
            max_length=1000,
            help_text=_("Separate tags with commas."),
        )
        self._add_custom_fields()
        if instance is not None and fill:
            self.custom_initial(instance)
        self.order_fields(self.field_order_names())

    def _add_custom_fields(self) -> None:
        kind = self.model.ACCESS_TYPE
        self.custom_definitions = []
        may_reveal = access.can(self.member, kind, "reveal", self.instance)
        masked = (
            custom_fields.masked_secrets(self.instance)
            if self.instance is not None and may_reveal
            else {}
        )
        for definition in custom_fields.definitions(self.member.workspace_id, kind):
            if definition.type == CustomField.Type.SENSITIVE and not may_reveal:
                continue  # only roles that may reveal a sensitive value may write it (S3)
            self.custom_definitions.append(definition)
            self.fields[CF + definition.key] = custom_form_field(
                definition, masked.get(definition.key, "")
            )

    def field_order_names(self) -> list[str]:
        return [*self.text_fields, "owner", "tags", *ADDRESS_FIELDS]

    @classmethod
    def initial_from(cls, instance: Company | Person) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(instance, name) for name in cls.text_fields}
        initial["owner"] = instance.owner_id
        initial["version"] = instance.version
        initial["tags"] = ", ".join(fields.tag_names(instance))
        return initial

    def error_field(self, name: str) -> str | None:
        """Return the form field a service error key belongs to, or None for the form."""
        name = ERROR_FIELDS.get(name, name.removesuffix("_id"))
        if name.startswith("custom."):
            name = CF + name.removeprefix("custom.")
        return name if name in self.fields else None

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        for name in ADDRESS_FIELDS:
            if name.endswith("_country") and cleaned.get(name):
                if not _COUNTRY.match(cleaned[name]):
                    self.add_error(name, _("Use a two-letter country code."))
                else:
                    cleaned[name] = cleaned[name].upper()
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """Return the cleaned values in the shape the services take (ids for references)."""
        data = {name: self.cleaned_data[name] for name in self.text_fields}
        owner = self.cleaned_data.get("owner")
        data["owner"] = owner.pk if owner is not None else None
        data["tags"] = [t for t in str(self.cleaned_data.get("tags") or "").split(",") if t.strip()]
        custom: dict[str, Any] = {}
        for definition in self.custom_definitions:
            value = _custom_value(definition, self.cleaned_data.get(CF + definition.key))
            if definition.type == CustomField.Type.SENSITIVE and value is None:
                continue  # blank keeps the stored value
            custom[definition.key] = value
        data["custom"] = custom
        return data

    def custom_initial(self, instance: Company | Person) -> None:
        for definition in self.custom_definitions:
            if definition.type != CustomField.Type.SENSITIVE:
                self.initial[CF + definition.key] = _custom_initial(
                    definition, (instance.custom or {}).get(definition.key)
                )

    def expected_version(self) -> int:
        version = self.cleaned_data.get("version")
        if version is None:
            raise forms.ValidationError(_("Reload the form and try again."))
        return int(version)


class CompanyForm(RecordForm):
    model = Company
    text_fields = [
        f for f in services.COMPANY_FIELDS if f != "owner" and f not in ADDRESS_FIELDS
    ] + ADDRESS_FIELDS

    def field_order_names(self) -> list[str]:
        return [*self.text_fields[: -len(ADDRESS_FIELDS)], "owner", "tags", *ADDRESS_FIELDS]


class PersonForm(RecordForm):
    model = Person
    text_fields = [
        f
        for f in services.PERSON_FIELDS
        if f not in ("owner", "company") and f not in ADDRESS_FIELDS
    ] + ADDRESS_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.member
        company_field = forms.ModelChoiceField(
            queryset=access.visible(member, Company),
            required=False,
            label=_("Company"),
        )
        self.fields["company"] = company_field
        wanted = self.data.get("company") if self.is_bound else self.initial.get("company")
        selected = None
        instance = self.instance
        if (
            isinstance(instance, Person)
            and Person.company.is_cached(instance)
            and instance.company is not None
            and str(instance.company.pk) == str(wanted)
        ):
            selected = instance.company  # loaded with the person
        elif wanted:
            selected = access.visible(member, Company).filter(pk=_int(wanted)).first()
        # Render a short list, not every company: the search box beside it fetches more.
        company_field.widget.choices = company_choices(member, selected=selected)
        for name in ("email_type", "phone_type"):
            self.fields[name].required = False  # work, unless chosen
        for name, label in (
            ("more_emails", _("More email addresses")),
            ("more_phones", _("More phone numbers")),
        ):
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("One a line, a type first if you like: home: ann@example.com"),
            )
        self.may_write_sensitive = access.can(member, "person", "reveal")
        if self.may_write_sensitive:
            self._add_sensitive_fields()
        self.order_fields(self.field_order_names())

    def _add_sensitive_fields(self) -> None:
        person = self.instance if isinstance(self.instance, Person) else None
        labels = {
            "national_id": gettext_lazy("National ID number"),
            "bank_account": gettext_lazy("Bank account (IBAN)"),
        }
        for name in services.SENSITIVE_FIELDS:
            current = services.masked(person, name) if person is not None else ""
            help_text = (
                _("Now %(masked)s. Leave blank to keep it.") % {"masked": current}
                if current
                else ""
            )
            self.fields[name] = forms.CharField(
                label=labels[name],
                required=False,
                max_length=64,
                help_text=help_text,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
            if current:
                self.fields[f"clear_{name}"] = forms.BooleanField(
                    label=_("Remove the stored value"), required=False
                )

    def field_order_names(self) -> list[str]:
        head = [f for f in self.text_fields if f not in ADDRESS_FIELDS]
        sensitive = [n for name in services.SENSITIVE_FIELDS for n in (name, f"clear_{name}")]
        contact = ["email", "email_type", "more_emails", "alt_email"]
        contact += ["phone", "phone_type", "mobile", "more_phones"]
        rest = [n for n in head[3:] if n not in contact]
        return [
            *head[:3],
            "company",
            *contact,
            *rest,
            "owner",
            "tags",
            *sensitive,
            *ADDRESS_FIELDS,
        ]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        region = next(
            (cleaned[f"{k}_country"] for k in ADDRESS_KINDS if cleaned.get(f"{k}_country")), None
        )
        # Checked here too, so an error sits on the field that holds the number.
        for name in ("phone", "mobile"):
            if cleaned.get(name):
                try:
                    fields.e164(cleaned[name], region, name)
                except ValidationError as exc:
                    self.add_error(name, exc.message_dict[name])
        for entry in _parse_contact_lines(str(cleaned.get("more_phones") or "")):
            try:
                fields.e164(entry["value"], region, "more_phones")
            except ValidationError as exc:
                self.add_error("more_phones", exc.message_dict["more_phones"])
                break
        return cleaned

    def clean_bank_account(self) -> str:
        value = str(self.cleaned_data.get("bank_account") or "").strip()
        return validate_iban(value) if value else ""

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        company = self.cleaned_data.get("company")
        data["company"] = company.pk if company is not None else None
        for one, many in (("email", "emails"), ("phone", "phones")):
            primary = data.pop(one)
            kind = data.pop(f"{one}_type") or ContactType.WORK
            items: list[dict[str, Any]] = (
                [{"value": primary, "type": kind, "primary": True}] if primary else []
            )
            items += _parse_contact_lines(str(self.cleaned_data.get(f"more_{many}") or ""))
            data[many] = items
        return data

    @classmethod
    def initial_from(cls, instance: Company | Person) -> dict[str, Any]:
        initial = super().initial_from(instance)
        if isinstance(instance, Person):
            initial["company"] = instance.company_id
            initial["more_emails"] = _contact_lines(instance.more_emails or [])
            initial["more_phones"] = _contact_lines(instance.more_phones or [])
        return initial

    def sensitive_data(self) -> dict[str, str | None]:
        """Return new sensitive values: None keeps the stored one, "" removes it."""
        if not self.may_write_sensitive:
            return {}
        values: dict[str, str | None] = {}
        for name in services.SENSITIVE_FIELDS:
            if self.cleaned_data.get(f"clear_{name}"):
                values[name] = ""
            else:
                values[name] = self.cleaned_data.get(name) or None
        return values


class RevealForm(forms.Form):
    field = forms.MultipleChoiceField(
        choices=[(name, name) for name in services.SENSITIVE_FIELDS],
        widget=forms.MultipleHiddenInput,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why do you need to see this?"),
        min_length=3,
        max_length=500,
        help_text=gettext_lazy("Saved in the audit log with your name."),
    )


def _int(value: Any) -> int:
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else 0

"""Settings → Custom fields: workspace admins add, rename, reorder and archive fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import custom_fields
from amity.customers.models import CustomField
from amity.customers.views import _attach_errors, member_view


class DefinitionForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=100)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For select and multi-select fields: one option a line."),
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    help_text = forms.CharField(label=gettext_lazy("Help text"), max_length=200, required=False)
    position = forms.IntegerField(
        label=gettext_lazy("Position"), min_value=0, max_value=10_000, initial=0
    )

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["options"] = [o.strip() for o in data["options"].splitlines() if o.strip()]
        data.pop("version", None)
        return data


class NewDefinitionForm(DefinitionForm):
    target = forms.ChoiceField(
        label=gettext_lazy("Record type"), choices=CustomField.Target.choices
    )
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=40,
        help_text=gettext_lazy("Lower-case letters, digits and _; used by the API and exports."),
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=CustomField.Type.choices)
    field_order = ["target", "key", "label", "type", "options", "required", "help_text"]


class EditDefinitionForm(DefinitionForm):
    archived = forms.BooleanField(
        label=gettext_lazy("Archived (hidden; values are kept)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


@require_http_methods(["GET", "POST"])
@member_view
def custom_field_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the workspace's custom fields and add one."""
    access.require(member, "custom_field", "create")
    form = NewDefinitionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            field = custom_fields.create_definition(member, form.data_for_service())
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Added the field %(label)s.") % {"label": field.label})
            return redirect("customers:custom_fields")
    context = {
        "form": form,
        "fields": {
            str(label): custom_fields.definitions(member.workspace_id, target, archived=True)
            for target, label in CustomField.Target.choices
        },
    }
    return render(request, "customers/custom_fields.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def custom_field_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a custom field's label, options, help, order, or archive it."""
    access.require(member, "custom_field", "edit")
    field = access.get_for_user(member, CustomField, pk)
    initial = {
        "label": field.label,
        "options": "\n".join(field.options or []),
        "required": field.required,
        "help_text": field.help_text,
        "position": field.position,
        "archived": field.archived,
        "version": field.version,
    }
    form = EditDefinitionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            custom_fields.update_definition(
                member,
                field,
                form.data_for_service(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        except VersionConflict:
            form.add_error(None, _("Someone changed this field meanwhile; reload and try again."))
        else:
            messages.success(request, _("Saved the field %(label)s.") % {"label": field.label})
            return redirect("customers:custom_fields")
    context = {"form": form, "field": field}
    return render(request, "customers/custom_field_edit.html", context)

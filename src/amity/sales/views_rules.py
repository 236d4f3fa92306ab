"""Screens for the lead rules (admins), editing a lead, and the people on a deal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.models import Person
from amity.customers.views import _attach_errors, _id, member_view
from amity.sales import deal_people, leads, rules
from amity.sales.forms_rules import (
    ROLE_SUGGESTIONS,
    AssignmentRuleForm,
    ClassificationRuleForm,
    DealPersonForm,
    DealRoleForm,
    LeadEditForm,
    ScoringRuleForm,
)
from amity.sales.models import AssignmentRule, ClassificationRule, Deal, Lead, ScoringRule

KINDS: dict[str, tuple[Any, type[forms.Form]]] = {
    "assignment": (AssignmentRule, AssignmentRuleForm),
    "classification": (ClassificationRule, ClassificationRuleForm),
    "scoring": (ScoringRule, ScoringRuleForm),
}
CONFLICT = _("Someone changed this meanwhile; check it and try again.")


def _form(kind: str, member: Membership, data: Any = None, **kw: Any) -> forms.Form:
    form_class = KINDS[kind][1]
    if form_class is AssignmentRuleForm:
        kw["member"] = member
    return form_class(data, prefix=kind, **kw)


@require_http_methods(["GET", "POST"])
@member_view
def lead_rules(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the assignment, classification and scoring rules, and add new ones (admins)."""
    rules.require_admin(member)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    forms_ = {kind: _form(kind, member, request.POST if kind == which else None) for kind in KINDS}
    if which in forms_ and forms_[which].is_valid():
        try:
            rules.create_rule(member, KINDS[which][0], forms_[which].cleaned_data)
        except ValidationError as exc:
            _attach_errors(forms_[which], exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:lead_rules")
    context = {
        "forms": forms_,
        "assignment_rules": rules.ordered(member, AssignmentRule),
        "classification_rules": rules.ordered(member, ClassificationRule),
        "scoring_rules": rules.ordered(member, ScoringRule),
    }
    status = 400 if which and request.method == "POST" else 200
    return render(request, "sales/lead_rules.html", context, status=status)


def _rule(member: Membership, model: Any, pk: int) -> Any:
    return rules.get_rule(member, model, pk)


def _initial(rule: Model, kind: str) -> dict[str, Any]:
    names = rules.RULE_FIELDS[type(rule)]
    return {n: getattr(rule, f"{n}_id" if n in ("user", "team") else n) for n in names}


def _rule_edit(kind: str) -> Callable[..., HttpResponse]:
    model = KINDS[kind][0]

    @require_http_methods(["GET", "POST"])
    @member_view
    def view(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
        rule = _rule(member, model, pk)
        posted = request.method == "POST"
        form = _form(kind, member, request.POST if posted else None, initial=_initial(rule, kind))
        if posted and form.is_valid():
            try:
                rules.update_rule(
                    member,
                    rule,
                    form.cleaned_data,
                    expected_version=_id(request.POST.get("version", "")) or 0,
                )
            except ValidationError as exc:
                _attach_errors(form, exc)
            except VersionConflict:
                messages.error(request, CONFLICT)
                return redirect(request.path)
            else:
                messages.success(request, _("Saved."))
                return redirect("sales:lead_rules")
        context = {"form": form, "rule": rule, "kind": kind}
        return render(request, "sales/lead_rule_form.html", context, status=400 if posted else 200)

    view.__name__ = f"{kind}_rule_edit"
    view.__doc__ = f"Change one {kind} rule (admins)."
    return view


def _rule_delete(kind: str) -> Callable[..., HttpResponse]:
    model = KINDS[kind][0]

    @require_POST
    @member_view
    def view(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
        rule = _rule(member, model, pk)
        try:
            rules.delete_rule(
                member, rule, expected_version=_id(request.POST.get("version", "")) or 0
            )
        except VersionConflict:
            messages.error(request, CONFLICT)
        else:
            messages.success(request, _("Deleted."))
        return redirect("sales:lead_rules")

    view.__name__ = f"{kind}_rule_delete"
    view.__doc__ = f"Delete one {kind} rule (admins)."
    return view


assignment_rule_edit = _rule_edit("assignment")
assignment_rule_delete = _rule_delete("assignment")
classification_rule_edit = _rule_edit("classification")
classification_rule_delete = _rule_delete("classification")
scoring_rule_edit = _rule_edit("scoring")
scoring_rule_delete = _rule_delete("scoring")


@require_http_methods(["GET", "POST"])
@member_view
def lead_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a lead; its segment and priority are classified again and it is rescored."""
    lead = access.get_for_user(member, Lead, pk, "edit")
    initial = {name: getattr(lead, name) for name in (*leads.EDITABLE, "version")}
    form = LeadEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            lead = leads.update_lead(member, lead, data, expected_version=version)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except VersionConflict:
            messages.error(request, _("Someone changed this lead meanwhile; check it first."))
            return redirect("sales:lead_edit", lead.pk)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": lead})
            return redirect(lead)
    return render(request, "sales/lead_form.html", {"form": form, "lead": lead})


def _candidates(member: Membership, deal: Deal) -> list[Person]:
    """People to offer: the deal company's, else the most recently changed ones."""
    qs = access.visible(member, Person)
    if deal.company_id is not None:
        qs = qs.filter(company_id=deal.company_id)
    return list(qs.order_by("-updated_at", "-id")[:200])


@require_POST
@member_view
def deal_person_add(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Put a person on a deal with a role."""
    deal = access.get_for_user(member, Deal, pk, "edit")
    person_id = _id(request.POST.get("person", ""))
    try:
        if person_id is None:
            raise ValidationError({"person": _("Choose a person.")})
        deal_people.add(member, deal, person_id, request.POST.get("role", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Added to the deal."))
    return redirect(deal)


@require_POST
@member_view
def deal_person_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a person's role on a deal."""
    link = deal_people.get_link(member, pk, "edit")
    form = DealRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the role and try again."))
        return redirect(link.deal)
    try:
        deal_people.change_role(
            member, link, form.cleaned_data["role"], expected_version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except VersionConflict:
        messages.error(request, CONFLICT)
    else:
        messages.success(request, _("Saved."))
    return redirect(link.deal)


@require_POST
@member_view
def deal_person_remove(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Take a person off a deal."""
    link = deal_people.get_link(member, pk, "edit")
    try:
        deal_people.remove(member, link, expected_version=_id(request.POST.get("version", "")) or 0)
    except VersionConflict:
        messages.error(request, CONFLICT)
    else:
        messages.success(request, _("Removed from the deal."))
    return redirect(link.deal)


def deal_people_context(member: Membership, deal: Deal, may_edit: bool) -> dict[str, Any]:
    """What the deal page's people section needs: the add form and role suggestions."""
    if not may_edit:
        return {}
    return {
        "person_form": DealPersonForm(people=_candidates(member, deal)),
        "role_suggestions": ROLE_SUGGESTIONS,
    }

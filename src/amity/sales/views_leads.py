"""Screens for leads, and the public web-to-lead endpoint other sites post their form to."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import access, context
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.core.paging import paginate
from amity.customers.models import Size
from amity.customers.views import _attach_errors, _id, member_view
from amity.sales import lead_import as lead_import_file
from amity.sales import leads
from amity.sales.models import IncomeBracket, Lead, LeadPriority

# The honeypot: people never see or fill it; form-filling bots usually do.
HONEYPOT = "website"


class LeadForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    company_size = forms.ChoiceField(
        label=_("Company size"), choices=[("", "—"), *Size.choices], required=False
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    income_bracket = forms.ChoiceField(
        label=_("Income bracket"), choices=[("", "—"), *IncomeBracket.choices], required=False
    )
    country = forms.RegexField(
        label=_("Country"), regex=r"^[A-Za-z]{2}$", max_length=2, required=False
    )
    message = forms.CharField(
        label=_("Message"), max_length=5000, required=False, widget=forms.Textarea
    )


@require_GET
@member_view
def lead_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the new leads the member may see, newest first, a page at a time."""
    qs = access.visible(member, Lead).filter(status=Lead.Status.NEW).select_related("owner")
    if request.GET.get("owner") == "me":
        qs = qs.filter(owner_id=member.user_id)
    by_score = request.GET.get("sort") == "score"
    min_score = _id(request.GET.get("min_score", ""))
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    segment = request.GET.get("segment", "").strip()[:60]
    if segment:
        qs = qs.filter(segment__iexact=segment)
    priority = request.GET.get("priority", "")
    if priority in LeadPriority.values:
        qs = qs.filter(priority=priority)
    else:
        priority = ""
    page = paginate(
        qs,
        ["-score", "-id"] if by_score else ["-created_at", "-id"],
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
    )
    kept = {
        "owner": "me" if request.GET.get("owner") == "me" else "",
        "sort": "score" if by_score else "",
        "segment": segment,
        "priority": priority,
        "min_score": "" if min_score is None else str(min_score),
    }
    query = urlencode({k: v for k, v in kept.items() if v})
    context_ = {
        "page": page,
        "can_create": access.can(member, "lead", "create"),
        "mine": request.GET.get("owner") == "me",
        "by_score": by_score,
        "segment": segment,
        "priority": priority,
        "priorities": LeadPriority.choices,
        "min_score": min_score,
        "filter_query": f"{query}&" if query else "",
    }
    return render(request, "sales/lead_list.html", context_)


@require_http_methods(["GET", "POST"])
@member_view
def lead_create(request: HttpRequest, member: Membership) -> HttpResponse:
    """Add a lead by hand; it goes to the least busy seller."""
    access.require(member, "lead", "create")
    form = LeadForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = leads.create_lead(member, dict(form.cleaned_data))
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": lead})
            return redirect(lead)
    return render(request, "sales/lead_form.html", {"form": form})


class LeadImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8) or XLSX with a header row: first name, last name, email, phone, "
            "company, country, source, company size, industry, job title, income bracket, "
            "message. At most 5 MB and 10,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


@require_http_methods(["GET", "POST"])
@member_view
def lead_import(request: HttpRequest, member: Membership) -> HttpResponse:
    """Import leads from a file: every row or, when any row is bad, none (with the report)."""
    access.require(member, "lead", "create")
    form = LeadImportForm(request.POST or None, request.FILES or None)
    problems: list[leads.RowProblem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > lead_import_file.MAX_BYTES:
                raise lead_import_file.FileError(_("The file is larger than 5 MB."))
            found = lead_import_file.read(upload.read(), upload.name or "")
        except lead_import_file.FileError as exc:
            form.add_error("file", str(exc))
        else:
            problems = leads.row_problems(found.rows)
            if not problems:
                try:
                    created = leads.import_leads(member, found.rows, origin=upload.name or "")
                except ValidationError as exc:
                    form.add_error(None, " ".join(exc.messages))
                    return render(request, "sales/lead_import.html", {"form": form})
                messages.success(
                    request,
                    ngettext("Imported %(count)s lead.", "Imported %(count)s leads.", len(created))
                    % {"count": len(created)},
                )
                return redirect("sales:lead_list")
    labels = {name: str(field.label) for name, field in LeadForm.base_fields.items()}
    report = [(p.row, labels.get(p.field, p.field), p.message) for p in problems]
    return render(request, "sales/lead_import.html", {"form": form, "report": report})


@require_GET
@member_view
def lead_detail(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show one lead, with a button to convert it."""
    lead = access.get_for_user(
        member, Lead, pk, queryset=access.visible(member, Lead).select_related("owner")
    )
    return render(
        request,
        "sales/lead_detail.html",
        {"lead": lead, "may_convert": access.can(member, "lead", "edit", lead)},
    )


@require_POST
@member_view
def lead_convert(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Convert a lead into a company, a person and a deal."""
    lead = access.get_for_user(member, Lead, pk, "edit")
    try:
        lead = leads.convert(
            member, lead, expected_version=_id(request.POST.get("version", "")) or 0
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(lead)
    except VersionConflict:
        messages.error(request, _("Someone changed this lead meanwhile; check it first."))
        return redirect(lead)
    messages.success(request, _("Converted %(name)s.") % {"name": lead})
    if lead.deal_id is not None:
        return redirect("sales:deal_detail", lead.deal_id)
    return redirect("customers:person_detail", lead.person_id)


@csrf_exempt  # posted from other sites' pages; the key in the URL names the workspace
@require_POST
def lead_form(request: HttpRequest, key: str) -> HttpResponse:
    """Take a web-to-lead post: honeypot, per-address rate limit, then an assigned lead."""
    workspace = leads.workspace_for_key(key)
    if workspace is None:
        raise Http404
    if not leads.allow_form_post(workspace, context.client_ip(request) or "unknown"):
        response = render(request, "sales/lead_thanks.html", {"limited": True}, status=429)
        response["Retry-After"] = "60"
        return response
    data: dict[str, Any] = request.POST.dict()
    if data.get(HONEYPOT):
        # Answer as if it worked, so a bot learns nothing.
        return render(request, "sales/lead_thanks.html", {})
    form = LeadForm(data)
    if not form.is_valid():
        return render(request, "sales/lead_thanks.html", {"form": form}, status=400)
    try:
        leads.capture_from_form(workspace, dict(form.cleaned_data))
    except ValidationError:
        return render(request, "sales/lead_thanks.html", {"form": form}, status=400)
    return render(request, "sales/lead_thanks.html", {})


def form_snippet(request: HttpRequest, member: Membership) -> str:
    """Return the HTML a workspace pastes into its site to capture leads."""
    if not access.can(member, "pipeline", "edit"):
        raise PermissionDenied
    url = request.build_absolute_uri(f"/leads/form/{leads.form_key(member.workspace_id)}/")
    fields = "".join(
        f'<label>{label} <input name="{name}"></label>\n'
        for name, label in (
            ("first_name", "First name"),
            ("last_name", "Last name"),
            ("email", "Email"),
            ("company_name", "Company"),
        )
    )
    return (
        f'<form method="post" action="{url}">\n{fields}'
        f'<input name="{HONEYPOT}" tabindex="-1" autocomplete="off" hidden>\n'
        '<button type="submit">Send</button>\n</form>'
    )

"""Screens for companies and people: lists, records, forms, reveal, history and trash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import AuditEvent, Membership, User
from amity.core.paging import paginate
from amity.core.views._common import needs_second_factor
from amity.customers import (
    bulk,
    columns,
    custom_fields,
    fields,
    panels,
    saved_views,
    selectors,
    services,
)
from amity.customers.forms import (
    CompanyForm,
    PersonForm,
    RecordForm,
    RevealForm,
    company_choices,
    member_users,
)
from amity.customers.models import Company, CustomerRecord, CustomField, Person, Stage, Tag
from amity.customers.tags import may_manage as may_manage_tags

HISTORY_ON_RECORD = 5
PEOPLE_ON_COMPANY = 20
TRASH_PAGE = 50
View = Callable[..., HttpResponse]
MODELS: dict[str, type[Company] | type[Person]] = {"company": Company, "person": Person}


def member_view(view: View) -> View:
    """Require a logged-in user working in a workspace; pass their membership on."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (response := needs_second_factor(request)) is not None:
            return response
        member: Membership | None = getattr(request, "membership", None)
        if member is None:
            raise PermissionDenied(_("You are not a member of any workspace."))
        if not Membership.user.is_cached(member):
            member.user = request.user  # type: ignore[assignment]  # spares the audit log a query
        return view(request, member, *args, **kwargs)

    return wrapper


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], partial: str = ""
) -> HttpResponse:
    """Render the page, or only its `partial` when htmx asks for a fragment."""
    name = f"{template}#{partial}" if partial and request.htmx else template  # type: ignore[attr-defined]
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _id(value: str) -> int | None:
    """Return a query parameter as a database id, or None when it is not one."""
    if value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


# Lists


def _list_params(request: HttpRequest, sorts: dict[str, list[str]]) -> selectors.ListParams:
    return selectors.params_from_query(request.GET, sorts)


def _members(member: Membership) -> list[User]:
    return list(member_users(member))


def _record_filters(request: HttpRequest, member: Membership, kind: str) -> dict[str, Any]:
    """Return the tag choices, the custom field filters and the fields' definitions."""
    definitions = [
        d
        for d in custom_fields.definitions(member.workspace_id, kind)
        if d.type != CustomField.Type.SENSITIVE
    ]
    Type = CustomField.Type
    shown = (Type.SELECT, Type.MULTI_SELECT, Type.CHECKBOX, Type.TEXT)
    return {
        "tags": list(Tag.objects.filter(workspace_id=member.workspace_id).order_by("name")[:200]),
        "chosen_tags": {t.lower() for t in selectors.values_of(request.GET, "tag")},
        "may_manage_tags": may_manage_tags(member),
        "tag_mode": "all" if request.GET.get("tag_mode") == "all" else "",
        "custom_filters": [
            {
                "field": d,
                "value": request.GET.get(f"cf_{d.key}", ""),
                "values": selectors.values_of(request.GET, f"cf_{d.key}"),
                "mode": "all" if request.GET.get(f"cf_{d.key}_mode") == "all" else "",
            }
            for d in definitions
            if d.type in shown
        ],
        "definitions": definitions,
    }


@dataclass(frozen=True)
class _ChosenColumns:
    raw: str  # as asked for in the query string
    keys: list[str]
    extra: list[columns.Column]  # the custom fields' columns
    chosen: list[columns.Column]


def _chosen_columns(
    request: HttpRequest, kind: str, definitions: list[CustomField]
) -> _ChosenColumns:
    raw = ",".join(request.GET.getlist("cols"))
    extra = columns.custom(definitions)
    keys = columns.parse(kind, raw, extra)
    return _ChosenColumns(raw, keys, extra, columns.chosen(kind, keys, extra))


def _list_extras(
    request: HttpRequest,
    member: Membership,
    kind: str,
    items: list[Any],
    cols: _ChosenColumns,
) -> dict[str, Any]:
    """Return the chosen columns with their cells, the saved views and the bulk actions."""
    raw, keys, extra, chosen = cols.raw, cols.keys, cols.extra, cols.chosen
    view_id = _id(request.GET.get("view", ""))
    views = list(saved_views.for_member(member, kind))
    actions = [
        (key, label)
        for key, (needed, label) in bulk.ACTIONS.items()
        if access.can(member, kind, needed)
    ]
    current = next((v for v in views if v.pk == view_id), None)
    prefix = "person" if kind == "person" else "company"
    list_url = reverse(f"customers:{prefix}_list")
    cols_param = ",".join(keys) if raw else ""
    view_params = [
        *selectors.query_pairs(selectors.filters_in(request.GET)),
        *[(k, request.GET[k][:20]) for k in ("sort",) if request.GET.get(k)],
        *([("cols", cols_param)] if cols_param else []),
    ]
    export_pairs = [
        *selectors.query_pairs(selectors.filters_in(request.GET)),
        *[(k, request.GET[k][:20]) for k in ("sort",) if request.GET.get(k)],
        ("cols", ",".join(keys)),
    ]
    return {
        "export_query": urlencode(export_pairs),
        "columns": chosen,
        "column_keys": keys,
        "cols_param": cols_param,
        "available_columns": columns.available(kind, extra),
        "rows": columns.rows(kind, chosen, items),
        "list_url": list_url,
        "view_params": view_params,
        "view_save_url": reverse(f"customers:{prefix}_view_save"),
        "saved_view_links": [
            (v, f"{list_url}?{urlencode([*selectors.query_pairs(v.params), ('view', v.pk)])}")
            for v in views
        ],
        "current_view": current,
        "may_change_view": current is not None and saved_views.may_change(member, current),
        "bulk_actions": actions,
        "bulk_url": reverse(f"customers:{prefix}_bulk"),
    }


@require_GET
@member_view
def person_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show the people the member may see, filtered, sorted and a page at a time."""
    access.require(member, "person", "view")
    params = _list_params(request, selectors.PERSON_SORTS)
    filters = _record_filters(request, member, "person")
    cols = _chosen_columns(request, "person", filters["definitions"])
    page = selectors.people(member, params, fields=columns.fields("person", cols.chosen))
    company = None
    if params.company:
        company = access.visible(member, Company).filter(pk=params.company).first()
    context = {
        "page": page,
        **filters,
        "params": params,
        "owners": _members(member),
        "company_filter": company,
        "company_options": company_choices(member, selected=company),
        "can_create": access.can(member, "person", "create"),
        "can_export": access.can(member, "person", "export"),
        **_list_extras(request, member, "person", page.items, cols),
    }
    return _render(request, "customers/person_list.html", context, "results")


@require_GET
@member_view
def company_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show the companies the member may see, filtered, sorted and a page at a time."""
    access.require(member, "company", "view")
    params = _list_params(request, selectors.COMPANY_SORTS)
    filters = _record_filters(request, member, "company")
    cols = _chosen_columns(request, "company", filters["definitions"])
    page = selectors.companies(member, params, fields=columns.fields("company", cols.chosen))
    context = {
        "page": page,
        **filters,
        "stages": Stage.choices,
        "params": params,
        "owners": _members(member),
        "can_create": access.can(member, "company", "create"),
        "can_export": access.can(member, "company", "export"),
        **_list_extras(request, member, "company", page.items, cols),
    }
    return _render(request, "customers/company_list.html", context, "results")


@require_GET
@member_view
def company_options(request: HttpRequest, member: Membership) -> HttpResponse:
    """Return the <option>s of visible companies whose name starts with `company_q`."""
    if not (access.can(member, "company", "view") or access.can(member, "person", "view")):
        raise PermissionDenied
    pk = _id(request.GET.get("company", ""))
    selected = None
    if pk is not None:
        selected = access.visible(member, Company).filter(pk=pk).first()
    options = company_choices(member, request.GET.get("company_q", "")[:100], selected)
    return render(
        request,
        "customers/_company_options.html",
        {"options": options, "selected": str(selected.pk) if selected else ""},
    )


# Records


def _person_qs(member: Membership) -> QuerySet[Person]:
    # created_by: the timeline of an imported record shows its creation from the record.
    return access.visible(member, Person).select_related("company", "owner", "created_by")


def _sensitive_rows(person: Person) -> list[dict[str, str]]:
    labels = {"national_id": _("National ID number"), "bank_account": _("Bank account (IBAN)")}
    return [
        {"name": name, "id": name, "label": labels[name], "masked": services.masked(person, name)}
        for name in services.SENSITIVE_FIELDS
    ]


def _sensitive_custom_rows(
    obj: CustomerRecord, definitions: list[CustomField], masked: dict[str, str]
) -> list[dict[str, str]]:
    """Return a row per sensitive custom field, revealed like the built-in ones."""
    return [
        {
            "name": custom_fields.error_key(d.key),  # "custom.<key>", as reveal takes it
            "id": f"custom-{d.key}",
            "label": d.label,
            "masked": masked.get(d.key, ""),
        }
        for d in definitions
        if d.type == CustomField.Type.SENSITIVE
    ]


def _all_sensitive_rows(obj: CustomerRecord) -> list[dict[str, str]]:
    definitions = custom_fields.definitions(obj.workspace_id, obj.ACCESS_TYPE)
    masked: dict[str, str] = {}
    if any(d.type == CustomField.Type.SENSITIVE for d in definitions):
        masked = custom_fields.masked_secrets(obj)
    own = _sensitive_rows(obj) if isinstance(obj, Person) else []
    return own + _sensitive_custom_rows(obj, definitions, masked)


def _history_preview(member: Membership, obj: CustomerRecord) -> list[AuditEvent] | None:
    if not access.can(member, "audit", "view"):
        return None
    return audit.history_for(member.workspace_id, obj.ACCESS_TYPE, obj.pk, limit=HISTORY_ON_RECORD)


def _record_extras(member: Membership, obj: CustomerRecord) -> dict[str, Any]:
    """Return the record's tags and custom field rows (sensitive ones masked)."""
    link = fields.link_model(obj)
    owner = "person" if isinstance(obj, Person) else "company"
    tags = [
        row.tag
        for row in link.objects.filter(workspace_id=obj.workspace_id, **{owner: obj.pk})
        .select_related("tag")
        .order_by("tag__name")
    ]
    definitions = custom_fields.definitions(member.workspace_id, obj.ACCESS_TYPE)
    masked: dict[str, str] = {}
    if any(d.type == CustomField.Type.SENSITIVE for d in definitions):
        masked = custom_fields.masked_secrets(obj)
    rows = [
        {"field": d, "value": custom_fields.display(d, (obj.custom or {}).get(d.key))}
        for d in definitions
        if d.type != CustomField.Type.SENSITIVE
    ]
    return {
        "tags": tags,
        "custom_rows": rows,
        "sensitive_custom": _sensitive_custom_rows(obj, definitions, masked),
    }


def _record_actions(member: Membership, obj: CustomerRecord) -> dict[str, bool]:
    kind = obj.ACCESS_TYPE
    return {
        "edit": access.can(member, kind, "edit", obj),
        "delete": access.can(member, kind, "delete", obj),
        "reveal": access.can(member, kind, "reveal", obj),
        "history": access.can(member, "audit", "view"),
        "privacy": access.can(member, kind, "privacy", obj),
    }


@require_GET
@member_view
def person_detail(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show one person, masked where sensitive; note the visit in the audit log."""
    from amity.customers import timeline_views

    person = access.get_for_user(member, Person, pk, queryset=_person_qs(member))
    services.record_view(member, person)
    extras = _record_extras(member, person)
    context = {
        "person": person,
        "sensitive": _sensitive_rows(person) + extras["sensitive_custom"],
        "reveal_url": reverse("customers:person_reveal", args=[person.pk]),
        "may": _record_actions(member, person),
        "history": _history_preview(member, person),
        "emails": fields.contacts_of(person, "emails"),
        "phones": fields.contacts_of(person, "phones"),
        **extras,
        "panels": panels.for_record(member, person),
        **timeline_views.context(request, member, person),
    }
    return render(request, "customers/person_detail.html", context)


@require_GET
@member_view
def company_detail(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show one company and its people; note the visit in the audit log."""
    from amity.customers import timeline_views

    company = access.get_for_user(
        member,
        Company,
        pk,
        queryset=access.visible(member, Company).select_related("owner", "created_by"),
    )
    services.record_view(member, company)
    people = selectors.people(
        member, selectors.ListParams(company=company.pk, size=PEOPLE_ON_COMPANY)
    )
    context = {
        "company": company,
        "people": people,
        "may": _record_actions(member, company),
        "history": _history_preview(member, company),
        "can_add_person": access.can(member, "person", "create"),
        "reveal_url": reverse("customers:company_reveal", args=[company.pk]),
        **_record_extras(member, company),
        "panels": panels.for_record(member, company),
        **timeline_views.context(request, member, company),
    }
    return render(request, "customers/company_detail.html", context)


def _reveal(request: HttpRequest, member: Membership, obj: CustomerRecord) -> HttpResponse:
    """Show the plaintext of sensitive fields after the member says why (each one audited)."""
    rows = _all_sensitive_rows(obj)
    posted = request.method == "POST"
    form = RevealForm(request.POST if posted else None)
    form.fields["field"].choices = [(row["name"], row["name"]) for row in rows]  # type: ignore[attr-defined]
    names = request.POST.getlist("field") if posted else [row["name"] for row in rows]
    revealed: dict[str, str] | None = None
    if posted and form.is_valid():
        try:
            if isinstance(obj, Person):
                revealed = services.reveal(
                    member, obj, form.cleaned_data["field"], form.cleaned_data["reason"]
                )
            else:
                revealed = custom_fields.reveal(
                    member, obj, form.cleaned_data["field"], form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            _attach_errors(form, exc)
    rows = [row for row in rows if row["name"] in names]
    for row in rows:
        if revealed is not None:
            row["value"] = revealed.get(row["name"], "")
    context = {
        "record": obj,
        "person": obj,
        "reveal_url": request.path,
        "form": form,
        "rows": rows,
        "revealed": revealed is not None,
        "may": {"reveal": True},
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "customers/_reveal.html", context)
    return render(request, "customers/person_reveal.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def person_reveal(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show the plaintext of a person's sensitive fields, built-in and custom (audited)."""
    person = access.get_for_user(member, Person, pk, "reveal", queryset=_person_qs(member))
    return _reveal(request, member, person)


@require_http_methods(["GET", "POST"])
@member_view
def company_reveal(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show the plaintext of a company's sensitive custom fields (each one audited)."""
    company = access.get_for_user(member, Company, pk, "reveal")
    return _reveal(request, member, company)


def _history(request: HttpRequest, member: Membership, obj: CustomerRecord) -> HttpResponse:
    access.require(member, "audit", "view")
    events = audit.history_for(member.workspace_id, obj.ACCESS_TYPE, obj.pk)
    return render(request, "customers/history.html", {"record": obj, "events": events})


@require_GET
@member_view
def person_history(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """List who viewed, revealed and changed this person (audit viewers only)."""
    return _history(request, member, access.get_for_user(member, Person, pk))


@require_GET
@member_view
def company_history(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """List who viewed and changed this company (audit viewers only)."""
    return _history(request, member, access.get_for_user(member, Company, pk))


def _changes(
    request: HttpRequest, member: Membership, obj: CustomerRecord, model: Any
) -> HttpResponse:
    field = request.GET.get("field", "")[:60]
    rows = selectors.field_history(member, obj, field)
    names = [f.name for f in model._meta.concrete_fields if f.editable]
    context = {"record": obj, "rows": rows, "field": field, "names": names}
    return render(request, "customers/changes.html", context)


@require_GET
@member_view
def person_changes(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """List every change to this person's fields, old → new, optionally one field only."""
    return _changes(request, member, access.get_for_user(member, Person, pk), Person)


@require_GET
@member_view
def company_changes(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """List every change to this company's fields, old → new, optionally one field only."""
    return _changes(request, member, access.get_for_user(member, Company, pk), Company)


# Forms


def _attach_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form when unknown)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        if isinstance(form, RecordForm):
            form.add_error(form.error_field(name), errors)
        else:
            field = name.removesuffix("_id")
            form.add_error(field if field in form.fields else None, errors)


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def _phone_or_text(record: CustomerRecord, name: str, value: str) -> str:
    if name != "phones":
        return value
    try:
        return fields.e164(value, fields.region_of(record), name)
    except ValidationError:
        return value


def _conflict_rows(
    member: Membership, form: RecordForm, current: CustomerRecord
) -> list[dict[str, str]]:
    """Return the fields where the stored record differs from what the member submitted."""
    rows = []
    yours = form.service_data()
    for name, mine in yours.items():
        if name == "custom":
            continue
        if name in ("tags", "emails", "phones"):
            if name == "tags":
                label, theirs_list = str(form.fields["tags"].label), fields.tag_names(current)
                mine_list = fields.clean_tag_names(mine)
            else:
                label = str(form.fields[name[:-1]].label)
                theirs_list = [c["value"] for c in fields.contacts_of(current, name)]  # type: ignore[arg-type]
                mine_list = [_phone_or_text(current, name, str(c["value"])) for c in mine]
            if theirs_list != mine_list:
                rows.append(
                    {
                        "label": label,
                        "theirs": _display(", ".join(theirs_list)),
                        "yours": _display(", ".join(mine_list)),
                    }
                )
            continue
        theirs = getattr(current, f"{name}_id" if name in ("owner", "company") else name)
        if (theirs or None) == (mine or None):
            continue
        if name == "owner":
            users = {u.pk: u for u in member_users(member).filter(pk__in=[theirs, mine])}
            theirs_text, mine_text = _display(users.get(theirs)), _display(users.get(mine))
        elif name == "company":
            names = dict(
                access.visible(member, Company)
                .filter(pk__in=[theirs, mine])
                .values_list("pk", "name")
            )
            theirs_text, mine_text = _display(names.get(theirs)), _display(names.get(mine))
        else:
            theirs_text, mine_text = _display(theirs), _display(mine)
        rows.append(
            {"label": str(form.fields[name].label), "theirs": theirs_text, "yours": mine_text}
        )
    return rows


def _save_form(
    request: HttpRequest,
    member: Membership,
    form_class: type[RecordForm],
    instance: Company | Person | None,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    kind = form_class.model.ACCESS_TYPE
    form = form_class(
        request.POST if request.method == "POST" else None,
        member=member,
        instance=instance,
        **({"initial": initial} if initial else {}),
    )
    conflict: list[dict[str, str]] | None = None
    possible_duplicates: list[Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            obj = _save(member, form, instance, request.POST.get("allow_duplicate") == "1")
        except services.DuplicatesFound as exc:
            possible_duplicates = exc.candidates
        except ValidationError as exc:
            _attach_errors(form, exc)
        except VersionConflict as exc:
            current = exc.current
            if current is None or current.deleted_at is not None:
                messages.error(request, _("Someone moved this record to the trash meanwhile."))
                return redirect(f"customers:{kind}_list")
            conflict = _conflict_rows(member, form, current)
            data = request.POST.copy()
            data["version"] = str(current.version)
            # The service changed the instance it was given; show the stored record's state.
            instance = _editable(member, current)
            form = form_class(data, member=member, instance=instance)
            form.is_valid()
        else:
            if instance is None:
                messages.success(request, _("Saved %(name)s.") % {"name": obj})
            else:
                messages.success(request, _("Saved your changes to %(name)s.") % {"name": obj})
            return redirect(obj)
    context = {
        "form": form,
        "record": instance,
        "kind": kind,
        "conflict": conflict,
        "is_new": instance is None,
        "possible_duplicates": possible_duplicates,
    }
    return render(request, "customers/record_form.html", context)


def _editable(member: Membership, record: CustomerRecord) -> Company | Person:
    """Return the record freshly loaded, checking the member may still edit it."""
    if isinstance(record, Person):
        return access.get_for_user(member, Person, record.pk, "edit", queryset=_person_qs(member))
    return access.get_for_user(member, Company, record.pk, "edit")


def _save(
    member: Membership,
    form: RecordForm,
    instance: Company | Person | None,
    allow_duplicate: bool = False,
) -> Any:
    data = form.service_data()
    if isinstance(form, PersonForm):
        sensitive = form.sensitive_data()
        if isinstance(instance, Person):
            return services.update_person(
                member,
                instance,
                data,
                expected_version=form.expected_version(),
                sensitive=sensitive,
            )
        return services.create_person(member, data, sensitive, allow_duplicate=allow_duplicate)
    if isinstance(instance, Company):
        return services.update_company(
            member, instance, data, expected_version=form.expected_version()
        )
    return services.create_company(member, data, allow_duplicate=allow_duplicate)


@require_http_methods(["GET", "POST"])
@member_view
def person_create(request: HttpRequest, member: Membership) -> HttpResponse:
    """Add a person."""
    access.require(member, "person", "create")
    company = _id(request.GET.get("company", ""))
    initial = {"company": company} if company is not None else None
    return _save_form(request, member, PersonForm, None, initial)


@require_http_methods(["GET", "POST"])
@member_view
def person_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a person; a stale form shows the newer values instead of overwriting them."""
    person = access.get_for_user(member, Person, pk, "edit", queryset=_person_qs(member))
    return _save_form(request, member, PersonForm, person)


@require_http_methods(["GET", "POST"])
@member_view
def company_create(request: HttpRequest, member: Membership) -> HttpResponse:
    """Add a company."""
    access.require(member, "company", "create")
    return _save_form(request, member, CompanyForm, None)


@require_http_methods(["GET", "POST"])
@member_view
def company_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a company; a stale form shows the newer values instead of overwriting them."""
    company = access.get_for_user(member, Company, pk, "edit")
    return _save_form(request, member, CompanyForm, company)


# Trash


def _delete(
    request: HttpRequest, member: Membership, model: type[Company] | type[Person], pk: int
) -> HttpResponse:
    obj = access.get_for_user(member, model, pk, "delete")
    kind = model.ACCESS_TYPE
    if request.method == "POST":
        try:
            # A post without the version it was confirmed at is treated as stale.
            version = _id(request.POST.get("version", "")) or 0
            services.trash(member, obj, expected_version=version)
        except VersionConflict:
            messages.error(
                request, _("Someone changed %(name)s meanwhile; check it first.") % {"name": obj}
            )
            return redirect(obj)
        messages.success(
            request,
            _("Moved %(name)s to the trash. You can restore it for %(days)s days.")
            % {"name": obj, "days": services.TRASH_DAYS},
        )
        return redirect(f"customers:{kind}_list")
    return render(
        request,
        "customers/confirm_delete.html",
        {"record": obj, "kind": kind, "days": services.TRASH_DAYS},
    )


@require_http_methods(["GET", "POST"])
@member_view
def person_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Ask, then move a person to the trash."""
    return _delete(request, member, Person, pk)


@require_http_methods(["GET", "POST"])
@member_view
def company_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Ask, then move a company to the trash."""
    return _delete(request, member, Company, pk)


@require_GET
@member_view
def trash(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the deleted records the member may restore, with when each will be purged."""
    kind = request.GET.get("kind", "person")
    if kind not in MODELS:
        kind = "person"
    model = MODELS[kind]
    if not (access.can(member, "person", "delete") or access.can(member, "company", "delete")):
        raise PermissionDenied(_("Your role may not delete or restore records."))
    qs = access.visible(member, model, action="delete", deleted=True).select_related("deleted_by")
    page = paginate(
        qs,
        ["-deleted_at", "-id"],
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
        size=TRASH_PAGE,
    )
    keep = timedelta(days=services.TRASH_DAYS)
    rows = [
        {"record": obj, "purge_at": obj.deleted_at + keep} for obj in page.items if obj.deleted_at
    ]
    context = {"page": page, "rows": rows, "kind": kind, "days": services.TRASH_DAYS}
    return render(request, "customers/trash.html", context)


def _restore(
    request: HttpRequest, member: Membership, model: type[Company] | type[Person], pk: int
) -> HttpResponse:
    obj = access.get_for_user(member, model, pk, "delete", deleted=True)
    services.restore(member, obj)
    messages.success(request, _("Restored %(name)s.") % {"name": obj})
    return redirect(obj)


@require_POST
@member_view
def person_restore(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Take a person out of the trash."""
    return _restore(request, member, Person, pk)


@require_POST
@member_view
def company_restore(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Take a company out of the trash."""
    return _restore(request, member, Company, pk)

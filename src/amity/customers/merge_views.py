"""Screens for duplicates: the list of likely pairs, merging two records, and undo."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.links import url_for_any_pk
from amity.core.models import Membership
from amity.customers import duplicates, merge, tasks
from amity.customers.models import Company, Person
from amity.customers.views import MODELS, _id, member_view


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "person")
    return kind if kind in MODELS else "person"


@require_GET
@member_view
def duplicate_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show likely duplicate pairs of records the member may see, best score first."""
    kind = _kind(request)
    page, rows = duplicates.pairs(
        member,
        kind,
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
    )
    context = {
        "kind": kind,
        "page": page,
        "rows": rows,
        "lines": _list_lines(kind, rows),
        "can_merge": access.can(member, kind, "edit") and access.can(member, kind, "delete"),
    }
    return render(request, "customers/duplicates.html", context)


@dataclass(frozen=True)
class _ListLine:
    """One row of the duplicates screen, with its links and labels ready to print."""

    row: duplicates.PairRow
    first_url: str
    second_url: str
    merge_url: str
    dismiss_url: str
    reasons: str
    merge_label: str
    dismiss_label: str


def _list_lines(kind: str, rows: list[duplicates.PairRow]) -> list[_ListLine]:
    """Prepare the screen's rows in Python: per row, template tags cost most of the page's time."""
    detail_url = url_for_any_pk(f"customers:{kind}_detail")
    merge_url = url_for_any_pk(f"customers:{kind}_merge")
    dismiss_url = url_for_any_pk("customers:duplicate_dismiss")
    # The msgids blocktranslate used, translated once a page. Marked safe as blocktranslate's
    # output was: the translation is trusted markup, and the name goes in escaped.
    merge_label = _('Merge<span class="visually-hidden"> %(name)s</span>')
    dismiss_label = _('Not a duplicate<span class="visually-hidden">: %(name)s</span>')
    lines = []
    for row in rows:
        name = {"name": conditional_escape(str(row.second))}
        lines.append(
            _ListLine(
                row=row,
                first_url=detail_url(row.first.pk),
                second_url=detail_url(row.second.pk),
                merge_url=f"{merge_url(row.first.pk)}?with={row.second.pk}",
                dismiss_url=dismiss_url(row.pair.pk),
                reasons=", ".join(row.reason_labels),
                merge_label=mark_safe(merge_label % name),  # noqa: S308
                dismiss_label=mark_safe(dismiss_label % name),  # noqa: S308
            )
        )
    return lines


@require_POST
@member_view
def duplicate_refresh(request: HttpRequest, member: Membership) -> HttpResponse:
    """Queue a fresh computation of the workspace's duplicate pairs."""
    kind = request.POST.get("kind", "person")
    if kind not in MODELS:
        kind = "person"
    tasks.refresh_duplicates.enqueue(member.workspace_id, kind, None)
    messages.success(request, _("Looking for duplicates again; reload this page in a moment."))
    return redirect(f"{reverse('customers:duplicates')}?kind={kind}")


@require_POST
@member_view
def duplicate_dismiss(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Remember that a pair is not a duplicate; it no longer shows."""
    pair = duplicates.get_pair(member, pk)
    duplicates.dismiss(member, pair)
    messages.success(request, _("Marked as not a duplicate."))
    return redirect(f"{reverse('customers:duplicates')}?kind={pair.object_type}")


def _merge(
    request: HttpRequest, member: Membership, model: type[Company] | type[Person], pk: int
) -> HttpResponse:
    kind = model.ACCESS_TYPE
    survivor = access.get_for_user(member, model, pk, "edit")
    other_id = _id(request.GET.get("with", "") or request.POST.get("loser", ""))
    if other_id is None:
        candidates = list(duplicates.panel_query(member, survivor)[:20])
        return render(
            request,
            "customers/merge_pick.html",
            {"record": survivor, "kind": kind, "candidates": candidates},
        )
    loser = access.get_for_user(member, model, other_id, "delete")
    if loser.pk == survivor.pk:
        return HttpResponseBadRequest(_("Choose another record to merge."))
    error = ""
    if request.method == "POST":
        choices = merge.choices_from((k, request.POST.get(k, "")) for k in request.POST)
        try:
            merge.merge(
                member,
                survivor,
                loser,
                choices,
                survivor_version=_id(request.POST.get("survivor_version", "")) or 0,
                loser_version=_id(request.POST.get("loser_version", "")) or 0,
            )
        except VersionConflict:
            error = _("One of the records changed while you were choosing. Check the values again.")
            survivor = access.get_for_user(member, model, pk, "edit")
            loser = access.get_for_user(member, model, other_id, "delete")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Merged %(loser)s into %(name)s. You can undo this for %(days)s days.")
                % {"loser": loser, "name": survivor, "days": merge.UNDO_DAYS},
            )
            return redirect(survivor)
    context = {
        "record": survivor,
        "other": loser,
        "kind": kind,
        "rows": merge.field_rows(member, survivor, loser),
        "moving": merge.related_counts(loser),
        "error": error,
        "days": merge.UNDO_DAYS,
    }
    return render(request, "customers/merge.html", context, status=409 if error else 200)


@require_http_methods(["GET", "POST"])
@member_view
def person_merge(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Merge another person into this one, choosing which value of each field to keep."""
    return _merge(request, member, Person, pk)


@require_http_methods(["GET", "POST"])
@member_view
def company_merge(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Merge another company into this one, choosing which value of each field to keep."""
    return _merge(request, member, Company, pk)


@require_POST
@member_view
def merge_undo(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Undo a merge: the merged record comes back with its related rows."""
    record = merge.get_merge(member, pk)
    model = MODELS[record.object_type]
    survivor = access.get_for_user(member, model, record.survivor_id, "edit")
    try:
        loser = merge.undo(member, record)
    except merge.MergeRefused as exc:
        messages.error(request, str(exc))
        return redirect(survivor)
    messages.success(request, _("Undid the merge: %(name)s is back.") % {"name": loser})
    return redirect(loser)

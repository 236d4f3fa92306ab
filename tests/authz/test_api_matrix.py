"""TESTPLAN S1 for the API: every operation in the OpenAPI schema × role × record ownership."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from django.test import Client

from amity.api import api
from tests.authz import subjects
from tests.authz.conftest import api_token, make_record, record_pk, reload
from tests.authz.matrix import ROLES, TARGETS, Rule, expected
from tests.conftest import World

PREFIX = "/api/v1"
# Unique names: a second "API Co" would be refused as a likely duplicate (409).
_n = itertools.count(1)


def _person_patch(record: Any) -> dict[str, Any]:
    return {"title": "Changed by the matrix"}


def _company_patch(record: Any) -> dict[str, Any]:
    return {"industry": "Matrix"}


API_RULES: dict[str, Rule] = {
    # Sales: leads.
    "GET /leads": Rule("member"),
    "POST /leads": Rule("create", method="POST", obj="lead", data=lambda r: {"last_name": "M"}),
    "POST /leads/import": Rule(
        "create", method="POST", obj="lead", data=lambda r: {"rows": [{"last_name": "M"}]}
    ),
    "GET /leads/{id}": Rule("record", obj="lead", subject=subjects.lead_record),
    "POST /leads/{id}/convert": Rule(
        "record",
        method="POST",
        obj="lead",
        action="edit",
        ok=frozenset({200, 428}),
        mutates=True,
        subject=subjects.lead_record,
    ),
    "PATCH /leads/{id}": Rule(
        "record",
        method="PATCH",
        obj="lead",
        action="edit",
        data=lambda r: {"job_title": "Changed by the matrix"},
        mutates=True,
        subject=subjects.lead_record,
    ),
    # Sales: lead rules (admins) and the people on a deal.
    **{f"GET /{kind}-rules": Rule("admin") for kind in ("assignment", "classification", "scoring")},
    "POST /assignment-rules": Rule("admin", method="POST", data=subjects.assignment_rule_body),
    "POST /classification-rules": Rule(
        "admin", method="POST", data=lambda r: {"name": "Matrix", "segment": "SMB"}
    ),
    "POST /scoring-rules": Rule(
        "admin", method="POST", data=lambda r: {"attribute": "country", "value": "SE", "points": 2}
    ),
    **{
        f"PATCH /{kind}-rules/{{id}}": Rule(
            "admin_object",
            method="PATCH",
            subject=getattr(subjects, f"{kind}_rule_record"),
            data=lambda r: {"active": False},
            mutates=True,
        )
        for kind in ("assignment", "classification", "scoring")
    },
    **{
        f"DELETE /{kind}-rules/{{id}}": Rule(
            "admin_object",
            method="DELETE",
            subject=getattr(subjects, f"{kind}_rule_record"),
            mutates=True,
        )
        for kind in ("assignment", "classification", "scoring")
    },
    "GET /deals/{id}/people": Rule("record", obj="deal", subject=subjects.deal_record),
    "POST /deals/{id}/people": Rule(
        "record",
        method="POST",
        obj="deal",
        action="edit",
        data=lambda r: {"person": subjects.person_in_workspace_of(r), "role": "champion"},
        subject=subjects.deal_record,
    ),
    "PATCH /deal-people/{id}": Rule(
        "record",
        method="PATCH",
        obj="deal",
        etag_kind="deal_person",
        action="edit",
        data=lambda r: {"role": "influencer"},
        mutates=True,
        subject=subjects.deal_person_record,
    ),
    "DELETE /deal-people/{id}": Rule(
        "record",
        method="DELETE",
        obj="deal",
        etag_kind="deal_person",
        action="edit",
        mutates=True,
        subject=subjects.deal_person_record,
    ),
    # Sales: products and price lists (managers keep them, the rest read).
    "GET /products": Rule("member"),
    "POST /products": Rule(
        "create",
        method="POST",
        obj="product",
        data=lambda r: {"sku": f"API-{next(_n)}", "name": "P"},
    ),
    "GET /products/{id}": Rule("record", obj="product", subject=subjects.product_record),
    "PATCH /products/{id}": Rule(
        "record",
        method="PATCH",
        obj="product",
        action="edit",
        data=lambda r: {"name": "Changed by the matrix"},
        mutates=True,
        subject=subjects.product_record,
    ),
    # Deactivates: an edit, not a delete.
    "DELETE /products/{id}": Rule(
        "record",
        method="DELETE",
        obj="product",
        action="edit",
        mutates=True,
        subject=subjects.product_record,
    ),
    "GET /price-lists": Rule("member"),
    "POST /price-lists": Rule(
        "create",
        method="POST",
        obj="price_list",
        data=lambda r: {"name": "Matrix", "currency": "EUR"},
    ),
    "GET /price-lists/{id}": Rule("record", obj="price_list", subject=subjects.price_list_record),
    "PATCH /price-lists/{id}": Rule(
        "record",
        method="PATCH",
        obj="price_list",
        action="edit",
        data=lambda r: {"name": "Changed by the matrix"},
        mutates=True,
        subject=subjects.price_list_record,
    ),
    # A product id that exists nowhere: let in, the input is refused (422 counts as allowed).
    "POST /price-lists/{id}/prices": Rule(
        "record",
        method="POST",
        obj="price_list",
        action="edit",
        data=lambda r: {"product": 987_654_321, "amount": "1.00"},
        ok=frozenset({200, 422}),
        mutates=True,
        subject=subjects.price_list_record,
    ),
    # Sales: quotes follow their deal's owner, like deals.
    "GET /quotes": Rule("member"),
    "POST /deals/{id}/quotes": Rule(
        "record",
        method="POST",
        obj="deal",
        action="edit",
        data=lambda r: {"lines": [{"description": "Matrix", "unit_price": "1"}]},
        ok=frozenset({201}),
        subject=subjects.deal_record,
    ),
    "GET /quotes/{id}": Rule("record", obj="quote", subject=subjects.quote_record),
    "GET /quotes/{id}/pdf": Rule("record", obj="quote", subject=subjects.quote_record),
    "PATCH /quotes/{id}": Rule(
        "record",
        method="PATCH",
        obj="quote",
        action="edit",
        data=lambda r: {"notes": "Changed by the matrix"},
        mutates=True,
        subject=subjects.quote_record,
    ),
    "DELETE /quotes/{id}": Rule(
        "record",
        method="DELETE",
        obj="quote",
        action="delete",
        mutates=True,
        subject=subjects.quote_record,
    ),
    # Without If-Match an allowed send stops at 428; that it got that far is the point.
    "POST /quotes/{id}/send": Rule(
        "record",
        method="POST",
        obj="quote",
        action="edit",
        data=lambda r: {"to": "buyer@example.test"},
        ok=frozenset({200, 428}),
        mutates=True,
        subject=subjects.quote_record,
    ),
    # Re-issuing starts a new draft on the deal: whoever may change the quote.
    "POST /quotes/{id}/reissue": Rule(
        "record",
        method="POST",
        obj="quote",
        action="edit",
        ok=frozenset({201}),
        subject=subjects.declined_quote_record,
    ),
    # Sales: pipelines and deals.
    "GET /pipelines": Rule("member"),
    "GET /pipelines/{id}/board": Rule("record", obj="pipeline", subject=subjects.pipeline_record),
    "GET /deals": Rule("member"),
    "POST /deals": Rule("create", method="POST", obj="deal", data=subjects.new_deal_body),
    "GET /deals/{id}": Rule("record", obj="deal", subject=subjects.deal_record),
    "GET /deals/{id}/history": Rule("record", obj="deal", subject=subjects.deal_record),
    "PATCH /deals/{id}": Rule(
        "record",
        method="PATCH",
        obj="deal",
        action="edit",
        data=lambda r: {"name": "Changed by the matrix"},
        mutates=True,
        subject=subjects.deal_record,
    ),
    "DELETE /deals/{id}": Rule(
        "record",
        method="DELETE",
        obj="deal",
        action="delete",
        mutates=True,
        subject=subjects.deal_record,
    ),
    # Without If-Match an allowed move stops at 428; that it got that far is the point.
    "POST /deals/{id}/move": Rule(
        "record",
        method="POST",
        obj="deal",
        action="edit",
        data=lambda r: {"stage": 1},
        ok=frozenset({200, 428}),
        mutates=True,
        subject=subjects.deal_record,
    ),
    "GET /people/{id}/timeline": Rule("record", obj="person"),
    "GET /companies/{id}/timeline": Rule("record", obj="company"),
    "POST /notes": Rule(
        "note_create",
        method="POST",
        subject=subjects.note_subject,
        data=lambda r: {"subject_type": "person", "subject_id": r.pk, "body": "Matrix"},
    ),
    "GET /notes/{id}": Rule("note", obj="note", subject=subjects.note_record),
    "PATCH /notes/{id}": Rule(
        "note",
        method="PATCH",
        obj="note",
        action="edit",
        subject=subjects.note_record,
        data=lambda r: {"body": "Changed by the matrix"},
        mutates=True,
    ),
    "DELETE /notes/{id}": Rule(
        "note",
        method="DELETE",
        obj="note",
        action="delete",
        subject=subjects.note_record,
        mutates=True,
    ),
    "GET /tasks": Rule("member"),
    "POST /tasks": Rule(
        "task_writers",
        method="POST",
        data=lambda r: {"title": "Matrix task", "due_date": "2030-01-01"},
    ),
    "GET /tasks/{id}": Rule("task", obj="task", subject=subjects.task_record),
    "PATCH /tasks/{id}": Rule(
        "task",
        method="PATCH",
        obj="task",
        action="edit",
        subject=subjects.task_record,
        data=lambda r: {"title": "Changed by the matrix"},
        mutates=True,
    ),
    "DELETE /tasks/{id}": Rule(
        "task",
        method="DELETE",
        obj="task",
        action="delete",
        subject=subjects.task_record,
        mutates=True,
    ),
    "POST /tasks/{id}/complete": Rule(
        "task",
        method="POST",
        obj="task",
        action="edit",
        subject=subjects.task_record,
        mutates=True,
    ),
    # The matrix's tasks are open, so an allowed reopen answers 412 (nothing to reopen).
    "POST /tasks/{id}/reopen": Rule(
        "task",
        method="POST",
        obj="task",
        action="edit",
        subject=subjects.task_record,
        ok=frozenset({200, 412}),
    ),
    # Calendar events with attendees, and the private feed URL.
    "GET /events": Rule("member"),
    "POST /events": Rule(
        "task_writers",
        method="POST",
        data=lambda r: {
            "title": "Matrix event",
            "starts_at": "2030-01-01T09:00:00Z",
            "ends_at": "2030-01-01T10:00:00Z",
        },
    ),
    "GET /events/{id}": Rule("task", obj="task", subject=subjects.event_record),
    "PATCH /events/{id}": Rule(
        "task",
        method="PATCH",
        obj="task",
        action="edit",
        subject=subjects.event_record,
        data=lambda r: {"title": "Changed by the matrix"},
        mutates=True,
    ),
    "DELETE /events/{id}": Rule(
        "task",
        method="DELETE",
        obj="task",
        action="delete",
        subject=subjects.event_record,
        mutates=True,
    ),
    "POST /calendar/feed": Rule("member", method="POST"),
    "GET /notifications": Rule("member"),
    "POST /notifications/read-all": Rule("member", method="POST"),
    "GET /reminders": Rule("member"),
    "POST /reminders": Rule(
        "member",
        method="POST",
        data=lambda r: {
            "target_type": "person",
            "target_id": subjects.acme_person_id(),
            "remind_at": "2030-01-01T09:00:00Z",
        },
    ),
    "GET /reminders/{id}": Rule("own_object", subject=subjects.reminder_record),
    "DELETE /reminders/{id}": Rule(
        "own_object", method="DELETE", subject=subjects.reminder_record, mutates=True
    ),
    "GET /people/{id}/scheduled-emails": Rule("record", obj="person"),
    "POST /people/{id}/scheduled-emails": Rule(
        "note_create",
        method="POST",
        subject=subjects.consenting_person_record,
        data=lambda r: {"subject": "Hi", "body": "Hello", "send_at": subjects.in_a_month()},
    ),
    "GET /scheduled-emails/{id}": Rule("note", subject=subjects.scheduled_email_record),
    "PATCH /scheduled-emails/{id}": Rule(
        "note",
        method="PATCH",
        action="edit",
        subject=subjects.scheduled_email_record,
        data=lambda r: {"subject": "Changed by the matrix"},
        mutates=True,
    ),
    "DELETE /scheduled-emails/{id}": Rule(
        "note",
        method="DELETE",
        action="delete",
        subject=subjects.scheduled_email_record,
        mutates=True,
    ),
    "GET /notification-preferences": Rule("member"),
    # The matrix cannot know the caller's ETag here: an allowed write stops at 412.
    "PATCH /notification-preferences": Rule(
        "member", method="PATCH", data=lambda r: {"digest": True}, ok=frozenset({200, 412})
    ),
    "POST /tasks/{id}/restore": Rule(
        "task",
        method="POST",
        obj="task",
        action="delete",
        subject=subjects.trashed_task_record,
        mutates=True,
    ),
    "POST /notifications/{id}/read": Rule(
        "own_object", method="POST", subject=subjects.notification_record, mutates=True
    ),
    "POST /imports": Rule(
        "create", method="POST", obj="person", ok=frozenset({200, 201, 400, 422})
    ),
    "GET /imports/{id}": Rule("own_object", subject=subjects.import_job_record),
    "GET /imports/{id}/errors": Rule("own_object", subject=subjects.import_job_record),
    "POST /imports/{id}/cancel": Rule(
        "own_object", method="POST", subject=subjects.import_job_record, mutates=True
    ),
    "GET /people/export": Rule("exporters"),
    "GET /companies/export": Rule("exporters"),
    "GET /people/{id}/vcard": Rule("record", obj="person"),
    "GET /people/{id}/privacy-export": Rule("record", obj="person", action="privacy"),
    "POST /people/{id}/erase": Rule(
        "record",
        method="POST",
        obj="person",
        action="privacy",
        data=lambda r: {"confirm": r.full_name if r else "x", "reason": "matrix"},
        mutates=True,
    ),
    "GET /saved-views": Rule("member"),
    "POST /saved-views": Rule(
        "member", method="POST", data=lambda r: {"kind": "person", "name": "Matrix view"}
    ),
    "GET /saved-views/{id}": Rule(
        "own_object", obj="savedview", subject=subjects.saved_view_record
    ),
    "PATCH /saved-views/{id}": Rule(
        "own_object",
        method="PATCH",
        obj="savedview",
        subject=subjects.saved_view_record,
        data=lambda r: {"name": "Renamed by the matrix"},
        mutates=True,
    ),
    "DELETE /saved-views/{id}": Rule(
        "own_object",
        method="DELETE",
        obj="savedview",
        subject=subjects.saved_view_record,
        mutates=True,
    ),
    "POST /people/bulk": Rule(
        "editors",
        method="POST",
        obj="person",
        data=lambda r: {"action": "assign", "filters": {"q": "zz-matrix"}},
    ),
    "POST /companies/bulk": Rule(
        "editors",
        method="POST",
        obj="company",
        data=lambda r: {"action": "assign", "filters": {"q": "zz-matrix"}},
    ),
    "GET /bulk-jobs/{id}": Rule("own_object", subject=subjects.bulk_job_record),
    "GET /tags": Rule("tag_managers"),
    "PATCH /tags/{id}": Rule(
        "tag_object",
        method="PATCH",
        subject=subjects.tag,
        data=lambda r: {"name": f"Renamed {r.pk if r else 0}"},
        mutates=True,
    ),
    "DELETE /tags/{id}": Rule("tag_object", method="DELETE", subject=subjects.tag, mutates=True),
    "GET /companies": Rule("member"),
    "POST /companies": Rule(
        "create", method="POST", obj="company", data=lambda r: {"name": f"API Co {next(_n)}"}
    ),
    "GET /companies/{id}": Rule("record", obj="company", action="view"),
    "PATCH /companies/{id}": Rule(
        "record", method="PATCH", obj="company", action="edit", data=_company_patch, mutates=True
    ),
    "DELETE /companies/{id}": Rule(
        "record", method="DELETE", obj="company", action="delete", mutates=True
    ),
    "POST /companies/{id}/restore": Rule(
        "trashed", method="POST", obj="company", action="delete", mutates=True
    ),
    "GET /people": Rule("member"),
    "GET /search": Rule("member"),
    "POST /people": Rule(
        "create", method="POST", obj="person", data=lambda r: {"last_name": f"Api {next(_n)}"}
    ),
    "GET /people/{id}": Rule("record", obj="person", action="view"),
    "PATCH /people/{id}": Rule(
        "record", method="PATCH", obj="person", action="edit", data=_person_patch, mutates=True
    ),
    "DELETE /people/{id}": Rule(
        "record", method="DELETE", obj="person", action="delete", mutates=True
    ),
    "POST /people/{id}/restore": Rule(
        "trashed", method="POST", obj="person", action="delete", mutates=True
    ),
    "POST /companies/{id}/reveal": Rule(
        "record",
        method="POST",
        obj="company",
        action="reveal",
        data=subjects.company_secret_reveal,
    ),
    "POST /people/{id}/reveal": Rule(
        "record",
        method="POST",
        obj="person",
        action="reveal",
        data=lambda r: {"fields": ["national_id"], "reason": "matrix check"},
    ),
    "GET /people/{id}/changes": Rule("record", obj="person"),
    "GET /companies/{id}/changes": Rule("record", obj="company"),
    "GET /custom-fields": Rule("member"),
    "POST /custom-fields": Rule(
        "admin", method="POST", data=lambda r: subjects.custom_field_body()
    ),
    "PATCH /custom-fields/{id}": Rule(
        "admin_object",
        method="PATCH",
        subject=subjects.custom_field,
        data=lambda r: {"label": "Matrix"},
        mutates=True,
    ),
    "DELETE /custom-fields/{id}": Rule(
        "admin_object", method="DELETE", subject=subjects.custom_field, mutates=True
    ),
    # Duplicates and merge: edit on the survivor and delete on the loser (both owned alike).
    "GET /duplicates": Rule("member"),
    # Whoever sees both records may dismiss their pair (as on the screen).
    "POST /duplicates/{id}/dismiss": Rule(
        "record",
        method="POST",
        obj="person",
        subject=subjects.duplicate_pair_record,
        mutates=True,
    ),
    "POST /people/{id}/merge": Rule(
        "record",
        method="POST",
        obj="person",
        action="delete",
        subject=subjects.merge_survivor,
        data=subjects.merge_body,
        mutates=True,
    ),
    "POST /companies/{id}/merge": Rule(
        "record",
        method="POST",
        obj="company",
        action="delete",
        subject=subjects.merge_company_survivor,
        data=subjects.merge_body,
        mutates=True,
    ),
    "GET /merges/{id}": Rule("record", subject=subjects.merge_record),
    "POST /merges/{id}/undo": Rule(
        "record", method="POST", action="delete", subject=subjects.merge_record, mutates=True
    ),
}


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    ops = set()
    for path, methods in schema["paths"].items():
        for method in methods:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                ops.add(f"{method.upper()} {path.removeprefix(PREFIX)}")
    return ops


def test_every_operation_has_a_matrix_entry() -> None:
    """Fail when an API operation is added without saying who may use it."""
    operations = api_operations()
    assert sorted(operations - set(API_RULES)) == [], "Add these operations to API_RULES"
    assert sorted(set(API_RULES) - operations) == [], "Remove these entries from API_RULES"


def _status_class(rule: Rule, status: int) -> str:
    return {404: "not_found", 403: "forbidden"}.get(
        status, "ok" if status in rule.ok else f"unexpected {status}"
    )


def _request(client: Client, rule: Rule, path: str, record: Any, token: str | None) -> Any:
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    version = reload(record)
    if rule.method in ("PATCH", "DELETE"):
        # A current If-Match, so only authorization decides the answer.
        kind = rule.etag_kind or rule.obj or getattr(record, "ACCESS_TYPE", None)
        headers["If-Match"] = f'"{kind}-{record_pk(record)}-v{version[0] if version else 1}"'
    body = json.dumps(rule.data(record)) if rule.data else None
    return client.generic(
        rule.method, path, data=body or "", content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("operation", sorted(API_RULES))
def test_operation(world: World, operation: str) -> None:
    rule = API_RULES[operation]
    template = operation.split(" ", 1)[1]
    has_record = "{id}" in template
    client = Client()
    problems: list[str] = []

    def prepare(user: Any, target: Any) -> tuple[Any, str]:
        if rule.subject is not None:
            record = rule.subject(world, user, target)
        else:
            record = make_record(world, rule.obj or "person", user, target) if has_record else None
        if record is not None and rule.kind == "trashed":
            from amity.customers import services as customers

            owner_ws = world.mallory if target == "other_workspace" else world.alice
            customers.trash(world.member(owner_ws, record.workspace), record)
        path = PREFIX + template.replace("{id}", str(record_pk(record)))
        return record, path

    for target in TARGETS if has_record else [None]:
        record, path = prepare(world.alice, target)
        before = reload(record)
        response = _request(client, rule, path, record, None)
        if response.status_code != 401:
            problems.append(f"anonymous {target}: {response.status_code}, want 401")
        if reload(record) != before:
            problems.append(f"anonymous {target}: record changed")

    for role in ROLES:
        user = getattr(world, role)
        token = api_token(world, user)
        bodies: dict[str, bytes] = {}
        for target in TARGETS if has_record else [None]:
            record, path = prepare(user, target)
            before = reload(record)
            response = _request(client, rule, path, record, token)
            got, want = _status_class(rule, response.status_code), expected(rule, role, target)
            if got != want:
                problems.append(
                    f"{role} {target} {operation}: got {got} ({response.status_code}), want {want}"
                )
            if want != "ok" and rule.mutates and reload(record) != before:
                problems.append(f"{role} {target}: denied but the record changed")
            if target in ("other_workspace", "missing"):
                bodies[target] = response.content
        if has_record and bodies.get("other_workspace") != bodies.get("missing"):
            problems.append(f"{role}: another workspace's 404 differs from a missing record's")

    if has_record:
        token = api_token(world, world.mallory)
        for target in ("own", "other_owner"):
            record, path = prepare(world.alice, target)
            before = reload(record)
            response = _request(client, rule, path, record, token)
            if response.status_code != 404:
                problems.append(
                    f"mallory (other workspace) on acme {target}: {response.status_code}"
                )
            if reload(record) != before:
                problems.append(f"mallory on acme {target}: record changed")
    assert problems == []

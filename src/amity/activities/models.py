"""Activities around a customer: notes now; tasks, calls and meetings later (DESIGN §3)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.models import Workspace
from amity.customers.models import Company, Person


class Note(models.Model):
    """A Markdown note on a person or a company; shown on their timeline."""

    # Names the ETag ("note-12-v3"); who may see a note is decided by its subject.
    ACCESS_TYPE: ClassVar[str] = "note"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Purging a record deletes its notes first (timeline.forget), within the workspace.
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"), max_length=20_000)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, company__isnull=True)
                | models.Q(person__isnull=True, company__isnull=False),
                name="note_one_subject",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "person"], name="note_ws_person"),
            models.Index(fields=["workspace", "company"], name="note_ws_company"),
            models.Index(fields=["workspace", "author"], name="note_ws_author"),
        ]

    def __str__(self) -> str:
        return f"note {self.pk}"

    @property
    def subject_type(self) -> str:
        return "person" if self.person_id is not None else "company"

    @property
    def subject_id(self) -> int:
        subject_id = self.person_id if self.person_id is not None else self.company_id
        assert subject_id is not None
        return subject_id

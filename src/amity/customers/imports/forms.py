"""Forms of the import screens: the upload, and the mapping with its duplicate rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amity.customers.imports import mapping, parse
from amity.customers.models import ImportJob


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV, XLSX or vCard (.vcf), at most 25 MB and 200,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.vcf,.vcard"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > parse.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 25 MB."))
        if parse.format_of(upload.name or "") is None:
            raise forms.ValidationError(_("Upload a .csv, .xlsx or .vcf file."))
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file, then the duplicate rule."""

    match_on = forms.ChoiceField(
        label=_("A row is a duplicate when an existing record has"),
        choices=ImportJob.Match.choices,
        widget=forms.RadioSelect,
    )
    on_match = forms.ChoiceField(
        label=_("For a duplicate"),
        choices=ImportJob.OnMatch.choices,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, job: ImportJob, may_reveal: bool, samples: list[list[str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [("", _("— do not import —"))] + [
            (t.key, t.label)
            for t in mapping.targets_for(
                job.kind, may_reveal=may_reveal, workspace_id=job.workspace_id
            )
        ]
        self.column_names: list[str] = []
        for index, header in enumerate(job.header):
            name = f"col_{index}"
            examples = [row[index] for row in samples if index < len(row) and row[index]][:3]
            self.fields[name] = forms.ChoiceField(
                label=header or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=job.mapping.get(str(index), ""),
                help_text=", ".join(e[:40] for e in examples),
            )
            self.column_names.append(name)
        self.fields["match_on"].initial = job.match_on
        self.fields["on_match"].initial = job.on_match

    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.column_names]

    def chosen(self) -> dict[int, str]:
        return {
            index: self.cleaned_data.get(f"col_{index}", "")
            for index in range(len(self.column_names))
        }

"""Reading a lead file (CSV or XLSX) into rows for `leads.import_leads`.

Columns are found by their header names, compared without case, spaces or punctuation,
so "First Name", "first_name" and "FIRSTNAME" all mean the first name. The file is read
with the customers import's reader (customers.imports.parse); only the limits differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from amity.customers.imports import parse

MAX_BYTES = 5 * 1024 * 1024
# One web request imports the file (the rules read once, then about 11 queries a lead on
# SQLite: the lead, its search entry, its audit event): keep it well under a proxy's timeout.
# Larger lists go through the API in batches of 1,000.
MAX_ROWS = 2_000
FORMATS = ("csv", "xlsx")

# Lead field → the header names (squashed: lower case, letters and digits only) it takes.
HEADERS: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "first", "givenname", "forename"),
    "last_name": ("lastname", "last", "surname", "familyname"),
    "email": ("email", "emailaddress", "mail"),
    "phone": ("phone", "phonenumber", "telephone", "tel", "mobile"),
    "company_name": ("company", "companyname", "organisation", "organization", "account"),
    "country": ("country", "countrycode"),
    "source": ("source", "leadsource"),
    "company_size": ("companysize", "size", "employees", "numberofemployees"),
    "industry": ("industry", "sector"),
    "job_title": ("jobtitle", "title", "position", "role"),
    "message": ("message", "notes", "note", "comment", "comments", "description"),
    "income_bracket": ("incomebracket", "income", "incomerange", "incomeband"),
}
_BY_HEADER = {name: field_ for field_, names in HEADERS.items() for name in names}


class FileError(ValueError):
    """The file cannot be imported at all (size, format, no usable columns)."""


@dataclass
class LeadFile:
    """The rows of a lead file, keyed by lead field, and the headers nobody maps."""

    rows: list[dict[str, str]]
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


def squash(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.lower())


def map_headers(header: list[str]) -> dict[int, str]:
    """Return column index → lead field for the headers recognised (the first one wins)."""
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        lead_field = _BY_HEADER.get(squash(name))
        if lead_field and lead_field not in mapping.values():
            mapping[index] = lead_field
    return mapping


def read(data: bytes, filename: str) -> LeadFile:
    """Return the file's rows as lead data; raise FileError when it cannot be imported."""
    if len(data) > MAX_BYTES:
        raise FileError(_("The file is larger than 5 MB."))
    fmt = parse.format_of(filename) or "csv"
    if fmt not in FORMATS:
        raise FileError(_("Upload a CSV or XLSX file."))
    try:
        table = parse.read_xlsx(data) if fmt == "xlsx" else parse.read_csv(data)
    except parse.ParseError as exc:
        raise FileError(_("The file cannot be read: %(reason)s") % {"reason": exc}) from exc
    if len(table.rows) > MAX_ROWS:
        raise FileError(_("Import at most %(count)s rows at a time.") % {"count": MAX_ROWS})
    mapping = map_headers(table.header)
    if "last_name" not in mapping.values():
        raise FileError(_('The file needs a "Last name" column.'))
    rows = [{name: row[index] for index, name in mapping.items()} for row in table.rows]
    if not rows:
        raise FileError(_("The file holds no rows under its header."))
    return LeadFile(
        rows=rows,
        mapping={table.header[i]: name for i, name in mapping.items()},
        ignored=[h for i, h in enumerate(table.header) if i not in mapping and h],
    )

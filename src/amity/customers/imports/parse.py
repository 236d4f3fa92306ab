"""Reading an uploaded file into a header and rows of text: CSV, XLSX and vCard.

CSV: the encoding comes from a byte-order mark, else UTF-8, else Windows-1252
(what Excel writes in Western Europe); the delimiter is sniffed among `, ; TAB |`.
XLSX: the first sheet, read-only. vCard: one row per card, with fixed headers
that the mapping guesses like any other export's.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

MAX_BYTES = 25 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL = 2000
FORMATS = ("csv", "xlsx", "vcf")
DELIMITERS = ",;\t|"
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ENTRIES = 1000


class ParseError(ValueError):
    """The file cannot be read as the format it claims."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


def format_of(name: str) -> str | None:
    """Return the format a file name says (csv, xlsx, vcf), or None."""
    suffix = Path(name).suffix.lower().lstrip(".")
    suffix = {"vcard": "vcf", "txt": "csv", "tsv": "csv"}.get(suffix, suffix)
    return suffix if suffix in FORMATS else None


def decode(data: bytes) -> str:
    """Return the text of a CSV or vCard file in whichever common encoding it uses."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError("The file is not valid text.") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ") if (value.hour, value.minute) != (0, 0) else str(value.date())
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()[:MAX_CELL]


def _check(table: Table) -> Table:
    if not any(h for h in table.header):
        raise ParseError("The first row must name the columns.")
    if len(table.header) > MAX_COLUMNS:
        raise ParseError(f"Use at most {MAX_COLUMNS} columns.")
    if len(table.rows) > MAX_ROWS:
        raise ParseError(f"Use at most {MAX_ROWS} rows.")
    width = len(table.header)
    table.rows = [row if len(row) == width else (row + [""] * width)[:width] for row in table.rows]
    return table


def _nonblank(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    for count, row in enumerate(rows):
        if count > MAX_ROWS + 1:
            raise ParseError(f"Use at most {MAX_ROWS} rows.")
        if "".join(row).strip():  # some cell holds more than white space
            yield row


def read_csv(data: bytes) -> Table:
    text = decode(data)
    sample = text[:65536]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = max(DELIMITERS, key=first.count)
    text = text.replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    try:
        rows = [
            [c.strip() if len(c) <= MAX_CELL else c.strip()[:MAX_CELL] for c in row]
            for row in _nonblank(reader)
        ]
    except csv.Error as exc:
        raise ParseError(f"The CSV file is broken: {exc}") from exc
    if not rows:
        raise ParseError("The file is empty.")
    return _check(Table(rows[0], rows[1:]))


def _check_archive(data: bytes) -> None:
    """Refuse a zip bomb before anything is extracted (TESTPLAN S12)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ParseError("The file is not a readable XLSX workbook.") from exc
    if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise ParseError("The workbook unpacks to more than 100 MB.")


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ParseError("The file is not a readable XLSX workbook.") from exc
    try:
        sheet = book.worksheets[0]
        rows = [
            [_cell(c) for c in row[:MAX_COLUMNS]]
            for row in _nonblank([_cell(c) for c in r] for r in sheet.iter_rows(values_only=True))
        ]
    finally:
        book.close()
    if not rows:
        raise ParseError("The file is empty.")
    return _check(Table(rows[0], rows[1:]))


VCARD_HEADER = [
    "First name",
    "Last name",
    "Company",
    "Job title",
    "Email",
    "Other email",
    "Phone",
    "Mobile",
    "Street",
    "City",
    "Region",
    "Postal code",
    "Country",
]


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _split(value: str, sep: str = ";") -> list[str]:
    return [_unescape(p) for p in re.split(r"(?<!\\)" + re.escape(sep), value)]


def read_vcard(data: bytes) -> Table:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n[ \t]", "", text)  # unfold (RFC 6350 §3.2)
    rows: list[list[str]] = []
    card: dict[str, str] | None = None
    for line in text.split("\n"):
        if ":" not in line:
            continue
        name_part, value = line.split(":", 1)
        params = name_part.split(";")
        name = params[0].split(".")[-1].upper()
        types = ",".join(params[1:]).lower()
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            card = {}
            continue
        if card is None:
            continue
        if name == "END":
            rows.append([card.get(h, "")[:MAX_CELL] for h in VCARD_HEADER])
            card = None
            if len(rows) > MAX_ROWS:
                raise ParseError(f"Use at most {MAX_ROWS} rows.")
            continue
        value = value.strip()
        if name == "N":
            parts = [*_split(value), "", ""]
            card.setdefault("Last name", parts[0])
            card.setdefault("First name", parts[1])
        elif name == "FN" and "Last name" not in card:
            first, _, last = _unescape(value).rpartition(" ")
            card["First name"], card["Last name"] = first, last
        elif name == "ORG":
            card.setdefault("Company", _split(value)[0])
        elif name == "TITLE":
            card.setdefault("Job title", _unescape(value))
        elif name == "EMAIL":
            card.setdefault("Other email" if "Email" in card else "Email", _unescape(value))
        elif name == "TEL":
            number = value.removeprefix("tel:")
            key = "Mobile" if "cell" in types else "Phone"
            card.setdefault(key, _unescape(number))
        elif name == "ADR" and "Street" not in card:
            parts = [*_split(value), *[""] * 7]
            for key, part in zip(
                ("Street", "City", "Region", "Postal code", "Country"), parts[2:7], strict=True
            ):
                card[key] = part
    if not rows:
        raise ParseError("The file holds no vCard.")
    return _check(Table(list(VCARD_HEADER), rows))


def read(data: bytes, fmt: str) -> Table:
    """Return the file's header and rows as text; raise ParseError when unreadable."""
    if len(data) > MAX_BYTES:
        raise ParseError("The file is larger than 25 MB.")
    if fmt == "xlsx":
        return read_xlsx(data)
    if fmt == "vcf":
        return read_vcard(data)
    if data[:2] == b"PK":
        raise ParseError("This looks like a spreadsheet: save it as .xlsx or CSV.")
    return read_csv(data)

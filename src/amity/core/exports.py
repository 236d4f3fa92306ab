"""CSV that spreadsheets open as text: cells never start a formula (TESTPLAN S11)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def safe_cell(value: Any) -> str:
    """Return the value as text, prefixed with ' when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    # Only spaces are skipped: a leading TAB or CR is itself a formula start.
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield RFC 4180 lines (CRLF, quoted where needed) of formula-safe cells."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def write_xlsx(path_or_file: Any, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> int:
    """Write one sheet of formula-safe cells, each stored as a string; return the data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")

    def line(values: Iterable[Any]) -> list[Any]:
        cells = []
        for value in values:
            # Control characters other than TAB/LF/CR are illegal in XLSX XML.
            text = "".join(ch for ch in safe_cell(value) if ch >= " " or ch in "\t\n\r")
            cell = WriteOnlyCell(sheet)
            # Assigned directly: the `value` setter would turn a leading "=" into a formula.
            cell._value = text
            cell.data_type = "s"
            cells.append(cell)
        return cells

    sheet.append(line(header))
    count = 0
    for row in rows:
        sheet.append(line(row))
        count += 1
    workbook.save(path_or_file)
    return count

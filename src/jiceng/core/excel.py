"""Excel output for any list (same columns as on screen), safe whatever text the data holds.

Every export goes through `workbook_from_rows`, and every cell through `sheet_cell`, the one place where
text from users becomes a spreadsheet cell:

- control characters are normalized (`sanitize.strip_control_chars`): openpyxl refuses them
  (IllegalCharacterError, a 500 for the whole export) and XML forbids them;
- formula injection (OWASP "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection): text
  starting with = + - @ (or tab / carriage return, or their full-width forms typed with a Chinese IME)
  would be run as a formula by a spreadsheet program, e.g. =HYPERLINK(...) from a public demand. Such
  cells are written as explicit text (data type "s", never openpyxl's automatic formula type "f") with
  Excel's quotePrefix style, so the text is shown exactly as typed and stays text even when someone edits
  the cell. Text that reads like an error code (#N/A) is likewise kept as text. Numbers (a negative
  amount) stay numbers: only text is neutralized.
- text longer than an Excel cell holds (32,767 characters) is cut with an ellipsis instead of silently.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter

from .sanitize import strip_control_chars
from .tables import Column

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
# OWASP's list of formula triggers, plus the full-width forms a Chinese input method produces.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Lone surrogates and the two noncharacters XML 1.0 forbids (a database would not store the former, but
# a computed value might carry them).
_XML_ILLEGAL = re.compile("[\ud800-\udfff\ufffe\uffff]")
_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")  # one search for both
_TITLE_ILLEGAL = re.compile(r"[][:*?/\\]")  # characters Excel refuses in a sheet's name


def cell_value(value):
    """A Python value as a cell value: numbers, dates and booleans as they are, anything else as text."""
    if value.__class__ is str:
        return sheet_text(value)
    if isinstance(value, bool | int | float | decimal.Decimal | dt.date | dt.datetime) or value is None:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            # Excel has no time zones: write the local (Beijing) wall time.
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return sheet_text(str(value))


def sheet_text(text: str) -> str:
    """Text fit for a cell: no control characters, nothing XML forbids, at most MAX_CELL_CHARS."""
    if _NEEDS_CLEANING.search(text):
        text = _XML_ILLEGAL.sub("\ufffd", strip_control_chars(text))
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet program read this text as a formula (or an error value) rather than as text?"""
    return text.startswith(FORMULA_TRIGGERS) or text in ERROR_CODES


def sheet_cell(ws, value):
    """What to append for `value`: the plain value, or, for formula-like text, an explicit text cell."""
    value = cell_value(value)
    if value.__class__ is str and value and (value[0] in _TRIGGER_CHARS or value[0] == "#") and is_formula_like(value):
        cell = WriteOnlyCell(ws)
        cell.value = value
        cell.data_type = "s"  # openpyxl made "=..." a formula and "#N/A" an error: text, as typed
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited (shows a leading ')
        return cell
    return value


def workbook_from_rows(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> Workbook:
    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=_TITLE_ILLEGAL.sub(" ", sheet_text(str(title)))[:31])
        for index, header in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(12, len(str(header)) * 2 + 2)
        ws.append([sheet_cell(ws, str(h)) for h in headers])
        for row in rows:
            ws.append([sheet_cell(ws, v) for v in row])
    return wb


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook_from_rows(sheets).save(response)
    return response


def objects_to_sheet(title: str, columns: Sequence[Column], objects: Iterable) -> tuple:
    return (title, [c.label for c in columns], ([c.value(o) for c in columns] for o in objects))

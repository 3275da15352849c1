"""Excel output for any list (same columns as on screen)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .tables import Column

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_value(value):
    if isinstance(value, bool | int | float | decimal.Decimal | dt.date | dt.datetime) or value is None:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            # Excel has no time zones: write the local (Beijing) wall time.
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return str(value)


def workbook_from_rows(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> Workbook:
    wb = Workbook(write_only=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        for index, header in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(index)].width = max(12, len(str(header)) * 2 + 2)
        ws.append([str(h) for h in headers])
        for row in rows:
            ws.append([cell_value(v) for v in row])
    return wb


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook_from_rows(sheets).save(response)
    return response


def objects_to_sheet(title: str, columns: Sequence[Column], objects: Iterable) -> tuple:
    return (title, [c.label for c in columns], ([c.value(o) for c in columns] for o in objects))

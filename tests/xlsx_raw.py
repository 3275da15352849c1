"""Hand-written .xlsx files: any cell type, any size, formulas, zip bombs; the XML written in chunks.

openpyxl cannot write what these tests need (a cell longer than Excel allows, a formula with a cached
value, a 100 MB cell without holding it in memory), so the parts are written directly.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DATE_STYLE = 1  # cellXfs index of the date format in STYLES


class Formula(str):
    """A cell written as <f>text</f> with a cached value."""


class Bool(int):
    pass


class ErrorValue(str):
    pass


class RawNumber(str):
    """A <v> written as is (e.g. "1e999", "abc"): what a damaged or hostile file may hold."""


STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def excel_escaped(text: str) -> str:
    """Text as Excel stores it: characters XML cannot hold as _xHHHH_, then XML-escaped."""
    text = re.sub("[\x00-\x08\x0b-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text)
    text = re.sub("[\ud800-\udfff]", "\ufffd", text)
    return escape(text)


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(ref: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return f'<c r="{ref}" t="str"><f>{escape(str(value))}</f><v>cached</v></c>'
    if isinstance(value, ErrorValue):
        return f'<c r="{ref}" t="e"><v>{escape(str(value))}</v></c>'
    if isinstance(value, RawNumber):
        return f'<c r="{ref}"><v>{escape(str(value))}</v></c>'
    if isinstance(value, Bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):
        base = dt.date(1899, 12, 30)
        day = value.date() if isinstance(value, dt.datetime) else value
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(day - base).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{excel_escaped(str(value))}</t></is></c>'


def sheet_rows(rows: Iterable[tuple[int, list[Any]]]) -> Iterable[bytes]:
    """<row> elements for (row number, values) pairs."""
    for number, values in rows:
        cells = "".join(cell_xml(f"{column_letter(i)}{number}", v) for i, v in enumerate(values, start=1))
        yield f'<row r="{number}">{cells}</row>'.encode()


def sheet_xml(rows: Iterable[bytes]) -> Iterable[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def write_xlsx(target: str | Path | IO[bytes], sheet: Iterable[bytes], strings: Iterable[bytes] | None = None,
               compression: int = zipfile.ZIP_DEFLATED) -> None:
    """A minimal workbook: one sheet (streamed from `sheet`), optional shared strings (streamed too)."""
    shared = strings is not None
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
            + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>' if shared else "")
            + "</Types>"),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
            + (f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
            + "</Relationships>"),
        "xl/styles.xml": STYLES,
    }
    with zipfile.ZipFile(target, "w", compression) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            if chunks is None:
                continue
            with archive.open(name, "w", force_zip64=True) as out:
                for chunk in chunks:
                    out.write(chunk)


def repeated(total: int, chunk: bytes) -> Iterable[bytes]:
    """`total` bytes made of `chunk` (never all in memory)."""
    for _ in range(total // len(chunk)):
        yield chunk

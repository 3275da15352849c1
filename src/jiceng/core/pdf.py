"""PDF output for reports: the same tables as the page and the Excel export, as a printable A4 document.

Written with fpdf2 (pure Python, maintained, LGPL; docs/decisions/060-pdf-reports-with-fpdf2.md). PDF's built-in
fonts have no Chinese glyphs, so a CJK TrueType/OpenType font from the system is embedded (subset to the
characters used): the file named by the `JICENG_PDF_FONT` setting/environment variable, else the first of
FONT_CANDIDATES found. Without one, `PdfFontMissing` says which package to install; views answer it with a page
that says so (never a 500).

Text from users (unit names, place names) passes through `strip_control_chars` like Excel cells: a control
character has no glyph and would break the line layout.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _t

from .sanitize import strip_control_chars

PDF = "application/pdf"
# Debian's CJK fonts, in order of preference: WenQuanYi Micro Hei (fonts-wqy-microhei, 5 MB, the package .ci/run
# installs), WenQuanYi Zen Hei, then Noto Sans CJK (fonts-noto-cjk, OpenType/CFF) and the AR PL fonts.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FONT_PACKAGE = "fonts-wqy-microhei"


class PdfFontMissing(Exception):  # noqa: N818 - reads as what happened
    """No font with Chinese glyphs: the PDF cannot be written."""

    def __init__(self, configured: str = "") -> None:
        self.configured = configured
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.configured:
            return _t("PDF 字体文件 %(path)s 不存在(设置 JICENG_PDF_FONT)。请改为系统中的中文字体文件,"
                      "或安装 %(package)s(apt-get install %(package)s)。") % {
                "path": self.configured, "package": FONT_PACKAGE}
        return _t("系统中没有可用于 PDF 的中文字体。请安装 %(package)s(apt-get install %(package)s),"
                  "或用 JICENG_PDF_FONT 指定一个中文 TrueType/OpenType 字体文件。") % {"package": FONT_PACKAGE}


def cjk_font() -> Path:
    """The font file to embed, or PdfFontMissing."""
    configured = getattr(settings, "JICENG_PDF_FONT", "") or ""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise PdfFontMissing(configured)
        return path
    for candidate in FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    raise PdfFontMissing()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1%}" if 0 <= value <= 1 else f"{value:.2f}"
    if isinstance(value, decimal.Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value.tzinfo else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return _t("是") if value else _t("否")
    return strip_control_chars(str(value))


def _numeric(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def pdf_bytes(title: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], *,
              subtitle: str = "", lines: Sequence[str] = ()) -> bytes:
    """An A4 document: the title, a subtitle (place and period), headline lines, then one table per sheet (the
    sheets of the Excel export: title, headers, rows). Numbers are right-aligned; a table with no rows says so."""
    from fpdf import FPDF
    from fpdf.enums import Align, TableBordersLayout, XPos, YPos
    from fpdf.fonts import FontFace

    font = cjk_font()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(_text(title))
    pdf.set_creator("Jiceng")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("cjk", "", str(font))  # headings are set apart by a fill, not bold: a CJK font has no bold face
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, _text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", size=9)
    generated = _t("生成时间:%(at)s") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    pdf.multi_cell(0, 5, " · ".join(p for p in (_text(subtitle), generated) if p), new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("cjk", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, _text(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    heading = FontFace(emphasis="", fill_color=(235, 238, 243))
    for sheet_title, headers, rows in sheets:
        rows = [list(r) for r in rows]
        pdf.ln(3)
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(0, 7, _text(sheet_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("cjk", size=9)
        if not rows:
            pdf.multi_cell(0, 5, _t("无"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            continue
        # The first column (a name) takes what the number columns leave.
        n = len(headers)
        widths = (3, *([1] * (n - 1))) if n > 2 else (2, 1) if n == 2 else (1,)
        with pdf.table(col_widths=widths, headings_style=heading, line_height=5.5, text_align="LEFT",
                       borders_layout=TableBordersLayout.SINGLE_TOP_LINE, padding=1) as table:
            head = table.row()
            for header in headers:
                head.cell(_text(header))
            for row in rows:
                cells = table.row()
                for value in row:
                    cells.cell(_text(value), align=Align.R if _numeric(value) else Align.L)
    return bytes(pdf.output())


def pdf_response(filename: str, title: str, sheets, *, subtitle: str = "", lines: Sequence[str] = ()) -> HttpResponse:
    response = HttpResponse(pdf_bytes(title, sheets, subtitle=subtitle, lines=lines), content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def font_missing_response(request, error: PdfFontMissing) -> HttpResponse:
    """The answer when no CJK font is installed: 503 (the server lacks something; the request was fine), with the
    package to install."""
    return render(request, "core/pdf_font_missing.html", {"message": error.message}, status=503)

"""Hostile workbooks are refused within bounded memory, with a message naming the file, row or column.

Memory is measured with tracemalloc (Python's allocator, which expat and zlib buffers go through too), not
with wall time. Before the limits, the 100 MB cell below raised the peak by about 320 MB and the 8 MB cells by
about 32 MB; now each is refused with a peak of about 1 MB. The bounds asserted are generous.
"""

from __future__ import annotations

import base64
import io
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditEvent, Role
from jiceng.core import importing
from jiceng.core.importing import ImportFileError, read_rows
from jiceng.enterprises.models import Enterprise
from tests import factories as f
from tests.test_import import ENT_HEADERS, as_row, ent_row
from tests.xlsx_raw import MAIN, repeated, sheet_rows, sheet_xml, write_xlsx

MB = 1024 * 1024


def random_text(size: int):
    """`size` bytes of base64 text, which hardly compresses (so the zip-bomb guard lets it through)."""
    for _ in range(size // MB):
        yield base64.b64encode(os.urandom(3 * MB // 4))


def one_cell(chunks, kind: str = "inlineStr"):
    yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
    yield from chunks
    yield b"</t></is></c></row>"


def peak_while_reading(path) -> tuple[int, str]:
    """(peak bytes allocated, the refusal's message) while reading the file to its end."""
    warm = io.BytesIO()
    write_xlsx(warm, sheet_xml(sheet_rows([(1, ["表头"])])))
    list(read_rows(warm))  # imports and caches outside the measurement
    tracemalloc.start()
    try:
        list(read_rows(path))
        message = ""
    except ImportFileError as exc:
        message = str(exc.message)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, message


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile-xlsx")


def test_zip_bomb_is_refused_before_decompressing(folder):
    """The issue's case: one cell of 100 MB of the same letter, ~100 KB compressed."""
    path = folder / "bomb.xlsx"
    write_xlsx(path, sheet_xml(one_cell(repeated(100 * MB, b"A" * MB))))
    assert path.stat().st_size < 200 * 1024
    peak, message = peak_while_reading(path)
    assert "压缩炸弹" in message and "xl/worksheets/sheet1.xml" in message
    assert peak < 2 * MB, peak


def test_huge_cell_that_compresses_poorly_is_refused_while_streaming(folder):
    path = folder / "huge-cell.xlsx"
    write_xlsx(path, sheet_xml(one_cell(random_text(8 * MB))))
    peak, message = peak_while_reading(path)
    assert message == "第 1 行有单元格内容超过 32767 个字符(Excel 单元格的上限),请检查文件。"
    assert peak < 6 * MB, peak  # the cell is 8 MB; the reader holds at most ~1 MB of it


def test_huge_shared_string_is_refused_while_streaming(folder):
    path = folder / "huge-string.xlsx"
    strings = [f'<sst xmlns="{MAIN}"><si><t>'.encode(), *random_text(8 * MB), b"</t></si></sst>"]
    write_xlsx(path, sheet_xml([b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>']), strings)
    peak, message = peak_while_reading(path)
    assert "超过 32767 个字符" in message
    assert peak < 6 * MB, peak


def test_huge_row_is_refused_while_streaming(folder):
    """Many small cells in one row: each is fine, the row is not."""
    path = folder / "huge-row.xlsx"

    def cells():
        yield b'<row r="1">'
        for chunk in random_text(8 * MB):
            for start in range(0, len(chunk), 64):
                yield b'<c t="inlineStr"><is><t>' + chunk[start:start + 64] + b"</t></is></c>"
        yield b"</row>"

    write_xlsx(path, sheet_xml(cells()))
    peak, message = peak_while_reading(path)
    assert message.startswith("第 1 行") and ("数据异常庞大" in message or "列" in message), message
    assert peak < 10 * MB, peak  # the row is cut at 1 MB of XML; its parsed cells take ~7 MB


def test_the_limits_are_excels_own(folder):
    at_limit, over = "长" * importing.MAX_CELL_CHARS, "长" * (importing.MAX_CELL_CHARS + 1)
    path = folder / "limits.xlsx"
    write_xlsx(path, sheet_xml(sheet_rows([(1, ["名称", "说明"]), (2, ["甲", at_limit]), (3, ["乙", over])])))
    with pytest.raises(ImportFileError) as error:
        list(read_rows(path))
    assert error.value.message == "第 3 行 B 列的内容超过 32767 个字符(Excel 单元格的上限)。"
    rows = []
    with pytest.raises(ImportFileError):
        for row in read_rows(path):
            rows.append(row)
    assert rows[1] == ("甲", at_limit)  # a cell at the limit is read whole

    beyond = folder / "row-limit.xlsx"
    write_xlsx(beyond, sheet_xml([b'<row r="1048577"><c r="A1048577"><v>1</v></c></row>']))
    with pytest.raises(ImportFileError, match="1048576"):
        list(read_rows(beyond))


def test_unusual_compression_is_refused(folder):
    path = folder / "bzip2.xlsx"
    write_xlsx(path, sheet_xml(sheet_rows([(1, ["名称"])])), compression=zipfile.ZIP_BZIP2)
    with pytest.raises(ImportFileError, match="不支持的压缩方式"):
        list(read_rows(path))


def test_archive_limits_come_from_the_declared_sizes(folder, monkeypatch):
    path = folder / "big-sheet.xlsx"
    write_xlsx(path, sheet_xml(sheet_rows([(1, ["名称"])] + [(n, [f"企业{n}"]) for n in range(2, 20_000)])))
    monkeypatch.setattr(importing, "MAX_SHEET_PART_BYTES", 100 * 1024)
    with pytest.raises(ImportFileError, match="sheet1.xml.*解压后超过"):
        list(read_rows(path))


def test_refusals_through_the_web_are_audited_with_file_and_reason(client, tree, settings, tmp_path, folder):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = f.user("staff_a", Role.STREET_STAFF, tree["street1"])
    client.force_login(staff)
    path = folder / "web-bomb.xlsx"
    write_xlsx(path, sheet_xml(one_cell(repeated(20 * MB, b"A" * MB))))
    with path.open("rb") as upload:
        response = client.post(reverse("enterprises:enterprise_import"), {"file": upload})
    assert response.status_code == 400 and "压缩炸弹" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.user == staff and event.object_type == "enterprises.enterprise"
    assert event.detail.startswith("refused; rows=0; file=web-bomb.xlsx; via=web; reason=")
    assert "压缩炸弹" in event.detail
    assert not list((tmp_path / "media" / "imports").glob("*.xlsx"))  # the upload is not kept

    # A file with errors in rows: the count and the first errors are recorded.
    rows = [(1, ENT_HEADERS), (2, as_row(ENT_HEADERS, ent_row(1, 类别="无此类别")))]
    out = io.BytesIO()
    write_xlsx(out, sheet_xml(sheet_rows(rows)))
    out.seek(0)
    out.name = "名册.xlsx"
    response = client.post(reverse("enterprises:enterprise_import"), {"file": out})
    assert response.status_code == 400
    event = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).first()
    assert "file=名册.xlsx" in event.detail and "1 error(s): row 2 类别:" in event.detail
    assert Enterprise.objects.count() == 0


def test_formula_cells_are_refused_with_row_and_column(tree):
    from jiceng.core.importing import validate
    from jiceng.enterprises.importing import ENTERPRISE_IMPORT
    from tests.xlsx_raw import Formula

    staff = f.user("staff_a", Role.STREET_STAFF, tree["street1"])
    rows = [(1, ENT_HEADERS), (2, as_row(ENT_HEADERS, ent_row(1, 名称=Formula('HYPERLINK("http://x","y")')))),
            (3, as_row(ENT_HEADERS, ent_row(2, 从业人员数=Formula("10*2"))))]
    out = io.BytesIO()
    write_xlsx(out, sheet_xml(sheet_rows(rows)))
    result = validate(ENTERPRISE_IMPORT, read_rows(out), staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "名称"), (3, "从业人员数")]
    assert result.errors[0].reason.startswith('该单元格是公式(=HYPERLINK("http://x","y")),导入不计算公式')
    assert not result.instances and Enterprise.objects.count() == 0

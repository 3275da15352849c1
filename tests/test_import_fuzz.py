"""Import fuzz (hypothesis): random workbooks never get a 500, and a refused import writes nothing.

Each example is a workbook written by hand (tests/xlsx_raw.py): the template's header (sometimes shuffled,
short of a column or with extra ones) and a few rows, mostly valid ones with random cells swapped in: any
Unicode text (control characters, right-to-left marks, emoji), text starting with = + - @, numbers of any
size, malformed numbers, dates, booleans, error values, formulas, text around Excel's 32,767-character limit,
empty rows and gaps. Posted to the import API, the answer is 201 with every row created, or 400 naming the
file, or the row and column of every error, with the table unchanged; the audit log records either.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from jiceng.accounts.models import AuditEvent, Role
from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member
from tests import factories as f
from tests.test_import import ENT_HEADERS, MEM_HEADERS, as_row, ent_row, mem_row
from tests.xlsx_raw import Bool, ErrorValue, Formula, RawNumber, sheet_rows, sheet_xml, write_xlsx

_numbers = itertools.count(20_000)  # fresh credit codes and ID numbers for every row of every example

cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.tuples(st.sampled_from("=+-@＝"), st.text(max_size=20)).map("".join),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([RawNumber(v) for v in ("1e999", "-1e999", "nan", "abc", "", "0x10", "1" * 400)]),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.booleans().map(Bool),
    st.sampled_from([ErrorValue("#N/A"), ErrorValue("#DIV/0!"), ErrorValue("#VALUE!")]),
    st.sampled_from([Formula("1+1"), Formula('HYPERLINK("http://evil.example","x")'), Formula("")]),
    st.integers(min_value=32_000, max_value=33_000).map(lambda n: "长" * n),
)


@st.composite
def workbooks(draw, headers: list[str], make_row) -> bytes:
    header = list(headers)
    layout = draw(st.sampled_from(["template", "template", "template", "shuffled", "missing", "extra"]))
    if layout == "shuffled":
        header = draw(st.permutations(header))
    elif layout == "missing":
        header.pop(draw(st.integers(0, len(header) - 1)))
    elif layout == "extra":
        header = [*header, draw(st.text(max_size=10)), "备注"]
    rows = [(1, header)]
    number = 2
    for _ in range(draw(st.integers(0, 6))):
        number += draw(st.sampled_from([0, 0, 0, 1, 5]))  # gaps: rows missing from the file are empty
        values = as_row(header, make_row(next(_numbers)))
        for _ in range(draw(st.integers(0, 2))):
            column = draw(st.integers(0, len(header) + 1))
            values.extend([None] * (column + 1 - len(values)))
            values[column] = draw(cell_values)
        if draw(st.booleans()) and draw(st.booleans()):
            values = [None] * len(values)  # an empty row among the others
        rows.append((number, values))
        number += 1
    out = io.BytesIO()
    write_xlsx(out, sheet_xml(sheet_rows(rows)))
    return out.getvalue()


@pytest.fixture
def importer(tree):
    f.organization(tree["park1"], "甲支部")
    api = APIClient()
    api.force_authenticate(f.user("staff_a", Role.STREET_STAFF, tree["street1"]))
    return api


def check_import(api, url: str, model, content: bytes) -> None:
    before, audits = model.objects.count(), AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count()
    upload = io.BytesIO(content)
    upload.name = "fuzz.xlsx"
    response = api.post(url, {"file": upload}, format="multipart")
    assert response.status_code in (201, 400), response.content[:500]
    body = response.json()
    if response.status_code == 201:
        assert model.objects.count() == before + body["created"] and body["created"] > 0
    else:
        assert model.objects.count() == before  # all or nothing
        assert body["error_count"] >= 1 and body["errors"]
        for error in body["errors"]:
            assert set(error) == {"row", "column", "reason"} and error["reason"]
            assert error["row"] is None or error["row"] >= 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == audits + 1


FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@FUZZ
@given(content=workbooks(ENT_HEADERS, ent_row))
def test_enterprise_import_fuzz(importer, content):
    check_import(importer, "/api/enterprises/import/", Enterprise, content)


@FUZZ
@given(content=workbooks(MEM_HEADERS, mem_row))
def test_member_import_fuzz(importer, content):
    check_import(importer, "/api/members/import/", Member, content)


def test_the_fuzz_reaches_both_outcomes(importer):
    """A valid file from the same builder imports (so the fuzz explores more than refusals)."""
    rows = [(1, ENT_HEADERS), (2, as_row(ENT_HEADERS, ent_row(next(_numbers))))]
    out = io.BytesIO()
    write_xlsx(out, sheet_xml(sheet_rows(rows)))
    check_import(importer, "/api/enterprises/import/", Enterprise, out.getvalue())
    assert Enterprise.objects.count() == 1

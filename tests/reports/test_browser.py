"""The party statistics in a real browser: open the report from the menu, change the year, download the PDF and
read the figures back from it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest
import time_machine

from jiceng.accounts.models import Role
from tests import factories as f
from tests.conftest import login, open_menu

from .conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_open_change_the_year_and_download_the_pdf(page):
    with time_machine.travel(NOW, tick=True):
        tree = f.district_tree()
        branch = f.organization(tree["park1"], "创智天地联合党支部")
        for i in range(5):
            f.member(branch, f"老党员{i}", join_date=dt.date(2010, 7, 1), gender="F" if i % 2 else "M")
        for i in range(2):  # joined in 2026: in this year's figures, not in 2025's
            f.member(branch, f"新党员{i}", join_date=dt.date(2026, 1, 5), status="probationary")
        f.user("staff1", Role.STREET_STAFF, tree["street1"])

        login(page, "staff1")
        open_menu(page, "上报报表", "党内统计")
        headline = page.get_by_test_id("report-headline")
        assert "党员 7 名" in headline.inner_text()
        assert "2026-12-31" in headline.inner_text()

        with page.expect_navigation():
            page.select_option("#report-year", "2025")
        assert "year=2025" in page.url
        assert "截至 2025-12-31,党员 5 名,其中正式党员 5 名、预备党员 0 名。" in headline.inner_text()
        assert page.get_by_test_id("table-gender").inner_text().count("男") == 1

        with page.expect_download() as info:
            page.get_by_test_id("export-pdf").click()
        download = info.value
        assert download.suggested_filename == f"party-statistics-{tree['street1'].pk}-2025.pdf"
        content = Path(download.path()).read_bytes()
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
        assert "五角场街道 · 2025 年" in text
        assert "党员 5 名" in text
        lines = text.splitlines()
        assert "男 3 60.0%" in lines and "女 2 40.0%" in lines

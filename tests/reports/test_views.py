"""The report pages and the API: scoping, bad input, the exports (Excel opened with openpyxl, PDF with pypdf)
and their audit rows, the coverage report's PDF, and the answer when no CJK font is installed."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.accounts.models import AuditEvent
from jiceng.reports import services
from jiceng.reports.periods import Period

from .conftest import YEAR

REPORT_URLS = ["reports:party_statistics", "reports:projects", "reports:demands"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def cells(content: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


# --- scoping -----------------------------------------------------------------------------------------------------

def test_a_street_sees_its_own_street_by_default_and_its_parks(client, world):
    client.force_login(world["staff1"])
    page = client.get(reverse("reports:party_statistics") + f"?year={YEAR}")
    assert page.status_code == 200
    assert page.context["place"] == world["tree"]["street1"]
    listed = {p.pk for p in page.context["places"]}
    assert listed == {world["tree"]["street1"].pk, world["tree"]["park1"].pk}
    park = client.get(reverse("reports:party_statistics") + f"?year={YEAR}&place={world['tree']['park1'].pk}")
    assert park.status_code == 200 and park.context["place"] == world["tree"]["park1"]


@pytest.mark.parametrize("name", REPORT_URLS)
def test_another_street_or_district_is_not_found(client, world, name):
    client.force_login(world["staff1"])
    for place in (world["tree"]["street2"], world["tree"]["district"], world["other"]["district"],
                  world["other"]["park1"]):
        assert client.get(reverse(name) + f"?place={place.pk}").status_code == 404
        assert client.get(reverse(name) + f"?place={place.pk}&export=pdf").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_api_refuses_another_districts_place_naming_the_field(world):
    outside = world["other"]["street1"]
    answer = api(world["district_admin"]).get(f"/api/reports/party-statistics/?year={YEAR}&place={outside.pk}")
    assert answer.status_code == 400 and list(answer.json()) == ["place"]
    # The same answer for a place that does not exist: nothing leaks.
    missing = api(world["district_admin"]).get(f"/api/reports/party-statistics/?year={YEAR}&place=999999")
    assert missing.status_code == 400 and missing.json() == answer.json()


def test_the_api_for_a_street_counts_only_its_street(world):
    body = api(world["staff1"]).get(f"/api/reports/party-statistics/?year={YEAR}").json()
    assert body["place"]["id"] == world["tree"]["street1"].pk
    expected = services.party_statistics(world["tree"]["street1"], Period(YEAR)).data["members"]
    assert body["members"] == expected
    district = api(world["district_admin"]).get(f"/api/reports/party-statistics/?year={YEAR}").json()
    street2 = services.party_statistics(world["tree"]["street2"], Period(YEAR)).data["members"]["total"]
    assert district["members"]["total"] == body["members"]["total"] + street2


def test_a_role_without_a_report_place_gets_404_from_the_api_and_a_notice_on_the_page(client, world):
    assert api(world["secretary"]).get("/api/reports/party-statistics/").status_code == 404
    client.force_login(world["secretary"])
    page = client.get(reverse("reports:party_statistics"))
    assert page.status_code == 200 and page.context["report"] is None if "report" in page.context else True
    assert "您没有可查看报表的地域" in page.content.decode()


# --- bad input ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "fields"), [
    ("year=abc", {"year"}), ("year=1999", {"year"}), ("year=2027", {"year"}), ("year=20255", {"year"}),
    ("quarter=5", {"quarter"}), ("quarter=0", {"quarter"}), ("quarter=q1", {"quarter"}), ("place=abc", {"place"}),
    ("year=abc&quarter=5&place=x", {"year", "quarter", "place"}),
])
def test_bad_input_answers_400_naming_the_field(client, world, query, fields):
    answer = api(world["staff1"]).get(f"/api/reports/party-statistics/?{query}")
    assert answer.status_code == 400
    assert set(answer.json()) == fields
    client.force_login(world["staff1"])
    for name in REPORT_URLS:
        page = client.get(reverse(name) + f"?{query}")
        assert page.status_code == 400
        assert set(page.context["errors"]) == fields
        for field in fields:
            assert f"{field}:" in page.content.decode()


def test_a_quarter_of_the_year_is_accepted(world):
    body = api(world["staff1"]).get(f"/api/reports/party-statistics/?year={YEAR}&quarter=2").json()
    assert body["period"] == {"year": YEAR, "quarter": 2, "start": f"{YEAR}-04-01", "end": f"{YEAR}-06-30"}


# --- on screen and exports ---------------------------------------------------------------------------------------

def test_the_party_statistics_page_shows_the_tables(client, world):
    client.force_login(world["staff1"])
    page = client.get(reverse("reports:party_statistics") + f"?year={YEAR}")
    html = page.content.decode()
    data = services.party_statistics(world["tree"]["street1"], Period(YEAR)).data
    assert f"党员 {data['members']['total']} 名" in html
    for key in ("members", "gender", "age", "education", "occupation", "ethnicity", "development", "organizations",
                "coverage", "dues"):
        assert f'data-testid="table-{key}"' in html
    assert 'data-role="title"' in html and 'data-role="key"' in html  # phone cards (core/tables.py)


@pytest.mark.parametrize("name", REPORT_URLS)
def test_excel_export_opens_and_holds_the_figures_and_is_audited(client, world, name):
    client.force_login(world["staff1"])
    place = world["tree"]["street1"]
    answer = client.get(reverse(name) + f"?year={YEAR}&place={place.pk}&export=xlsx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    kind = name.split(":")[1].replace("_", "-")
    report = services.REPORTS[kind](place, Period(YEAR))
    sheets = cells(answer.content)
    summary = next(iter(sheets.values()))
    assert [report.lines[0]] in summary
    for title, headers, rows in report.sheets():
        sheet = sheets[title[:31]]
        assert sheet[0] == headers
        assert sheet[1:] == [[pytest.approx(float(v)) if isinstance(v, float | Decimal) else None if v == "" else v
                              for v in row] for row in rows]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.user, event.object_type, event.object_id) == (world["staff1"], f"report.{kind}", str(place.pk))
    assert event.detail == f"xlsx {YEAR}"


@pytest.mark.parametrize("name", REPORT_URLS)
def test_pdf_export_opens_with_a_parser_and_holds_the_figures(client, world, name):
    client.force_login(world["district_admin"])
    place = world["tree"]["district"]
    answer = client.get(reverse(name) + f"?year={YEAR}&quarter=4&place={place.pk}&export=pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="{name.split(":")[1].replace("_", "-")}-' \
                                            f'{place.pk}-{YEAR}-q4.pdf"'
    text = pdf_text(answer.content)
    kind = name.split(":")[1].replace("_", "-")
    report = services.REPORTS[kind](place, Period(YEAR, 4))
    assert f"{place.name} · {YEAR} 年第 4 季度" in text
    for line in report.lines:
        assert line in text.replace("\n", "")
    for title, _headers, rows in report.sheets():
        assert title in text
        for row in rows:
            # Each row's name and its first figure, as printed (numbers right-aligned in their cells).
            assert str(row[0]) in text and str(row[1]) in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type=f"report.{kind}",
                                     detail=f"pdf {YEAR}-q4").count() == 1


def test_party_statistics_pdf_prints_each_figure_on_its_row(client, world):
    client.force_login(world["staff1"])
    answer = client.get(reverse("reports:party_statistics") + f"?year={YEAR}&export=pdf")
    lines = pdf_text(answer.content).splitlines()
    data = services.party_statistics(world["tree"]["street1"], Period(YEAR)).data
    for row in data["by_gender"] + data["by_occupation"] + data["by_ethnicity"]:
        assert any(line.startswith(f"{row['label']} {row['count']} ") for line in lines), row
    assert f"收缴党费(元) {data['dues']['collected']:,.2f}" in lines


def test_coverage_report_exports_pdf_with_its_figures(client, world):
    from jiceng.organizations.coverage import coverage_report

    client.force_login(world["staff1"])
    place = world["tree"]["street1"]
    answer = client.get(reverse("organizations:coverage") + f"?place={place.pk}&export=pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = pdf_text(answer.content)
    report = coverage_report(place, children=True)
    assert f"两新组织 {report.enterprises} 家:组织覆盖 {report.org_covered} 家" in text
    assert "应覆盖未覆盖" in text and "换届逾期" in text
    for child in report.children:
        assert child.place.name in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.object_type, event.object_id, event.detail) == ("coverage_report", str(place.pk), "pdf")
    page = client.get(reverse("organizations:coverage") + f"?place={place.pk}").content.decode()
    assert "export=pdf" in page


def test_no_cjk_font_answers_a_clear_message_naming_the_package(client, world, settings, monkeypatch):
    from jiceng.core import pdf

    client.force_login(world["staff1"])
    settings.JICENG_PDF_FONT = "/nonexistent/font.ttf"
    answer = client.get(reverse("reports:party_statistics") + f"?year={YEAR}&export=pdf")
    assert answer.status_code == 503
    assert "fonts-wqy-microhei" in answer.content.decode() and "/nonexistent/font.ttf" in answer.content.decode()
    settings.JICENG_PDF_FONT = ""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent/a.ttc",))
    answer = client.get(reverse("organizations:coverage") + f"?place={world['tree']['street1'].pk}&export=pdf")
    assert answer.status_code == 503 and "apt-get install fonts-wqy-microhei" in answer.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()  # nothing was exported


def test_the_font_can_be_named_by_the_setting(client, world, settings):
    from jiceng.core.pdf import FONT_CANDIDATES, cjk_font

    found = cjk_font()
    assert str(found) in FONT_CANDIDATES
    settings.JICENG_PDF_FONT = str(found)
    assert cjk_font() == found
    client.force_login(world["staff1"])
    assert client.get(reverse("reports:demands") + f"?year={YEAR}&export=pdf").status_code == 200

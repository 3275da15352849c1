"""The 节假日安排 pages, the API and `jiceng holidays`: reading for everyone, changes for managers only."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.holidays.models import HolidayYear
from tests import factories as f

from .conftest import NOTICE_2027, notice_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(tree):
    return {"admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
            "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
            "root": f.user("root", superuser=True)}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_every_year_with_its_source(users):
    page = client_for(users["staff"]).get("/holidays/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-year="2026"' in html and 'data-source="package"' in html and 'data-source="provisional"' in html
    assert "从通知导入" not in html  # street staff read only


@pytest.mark.parametrize("url", ["/holidays/import/", "/holidays/2027/edit/"])
def test_only_managers_change_the_calendar(users, url):
    assert client_for(users["staff"]).get(url).status_code == 403
    assert client_for(users["staff"]).post(url, {"year": 2027, "text": NOTICE_2027}).status_code == 403
    assert client_for(users["admin"]).get(url).status_code == 200
    assert Client().get(url).status_code == 302  # to the login page


def test_import_previews_then_saves_and_publishes(users):
    client = client_for(users["admin"])
    preview = client.post("/holidays/import/", {"year": 2027, "text": NOTICE_2027, "publish": "on", "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-date="2027-02-05" data-kind="off"' in html and 'data-date="2027-01-31" data-kind="work"' in html
    assert not HolidayYear.objects.exists()  # nothing saved by a preview
    saved = client.post("/holidays/import/", {"year": 2027, "text": NOTICE_2027, "publish": "on", "confirm": "1"})
    assert saved.status_code == 302 and saved["Location"] == "/holidays/2027/"
    year = HolidayYear.objects.get(year=2027)
    assert year.published and year.note == "国办发明电〔2026〕9号" and year.dates.count() == 35
    detail = client.get("/holidays/2027/").content.decode()
    assert 'data-source="notice"' in detail and 'data-testid="history"' in detail
    # Importing again asks to confirm the replacement.
    again = client.post("/holidays/import/", {"year": 2027, "text": NOTICE_2027, "publish": "on", "confirm": "1"})
    assert again.status_code == 400 and "替换" in again.content.decode()


@pytest.mark.parametrize(("text", "message"), [
    ("这不是通知", "不像是"),
    ("一、元旦:2月30日放假,共1天。", "2月30日不存在"),
    ("国务院办公厅关于2028年部分节假日安排的通知\n一、元旦:1月1日放假。", "2028"),
])
def test_import_refuses_bad_text_naming_the_problem(users, text, message):
    page = client_for(users["admin"]).post("/holidays/import/", {"year": 2027, "text": text, "confirm": "1"})
    assert page.status_code == 400 and message in page.content.decode()
    assert not HolidayYear.objects.exists()


def test_edit_form_saves_a_draft_and_refuses_an_empty_year(users):
    client = client_for(users["admin"])
    empty = client.post("/holidays/2027/edit/", {"days_off": "", "workdays": ""})
    assert empty.status_code == 400 and not HolidayYear.objects.exists()
    bad = client.post("/holidays/2027/edit/", {"days_off": "2027-01-01 元旦\n2027-02-30 春节"})
    assert bad.status_code == 400 and "2027-02-30" in bad.content.decode()
    weekday = client.post("/holidays/2027/edit/", {"days_off": "2027-01-01 元旦", "workdays": "2027-01-06 调休"})
    assert weekday.status_code == 400 and "周六或周日" in weekday.content.decode()
    ok = client.post("/holidays/2027/edit/", {"days_off": "2027-01-01 元旦\n02-05 春节", "workdays": "01-31 春节"})
    assert ok.status_code == 302
    year = HolidayYear.objects.get(year=2027)
    assert not year.published and sorted(d.date for d in year.dates.all())[1] == dt.date(2027, 1, 31)
    assert client.post("/holidays/2027/publish/").status_code == 302
    year.refresh_from_db()
    assert year.published


def test_banner_for_managers_from_october(users, settings):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 10, 2, 10, tzinfo=dt.UTC), tick=False):
        assert 'data-testid="calendar-warning"' in client_for(users["admin"]).get("/").content.decode()
        assert 'data-testid="calendar-warning"' not in client_for(users["staff"]).get("/").content.decode()
    with time_machine.travel(dt.datetime(2026, 9, 2, 10, tzinfo=dt.UTC), tick=False):
        assert 'data-testid="calendar-warning"' not in client_for(users["admin"]).get("/").content.decode()


def test_api_lists_years_and_shows_one(users):
    api = APIClient()
    api.force_authenticate(users["staff"])
    years = api.get("/api/holidays/").json()
    assert {"year": 2026, "source": "package"}.items() <= next(y for y in years if y["year"] == 2026).items()
    one = api.get("/api/holidays/2027/").json()
    assert one["source"] == "provisional" and "2027-02-05" in one["holidays"] and one["workdays"] == []
    assert api.get("/api/holidays/1800/").status_code == 404
    assert APIClient().get("/api/holidays/").status_code in (401, 403)


def test_cli_import_and_show(tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text(NOTICE_2027, encoding="utf-8")
    out = StringIO()
    call_command("holidays", "import", "--year", "2027", str(notice), stdout=out)
    assert "published" in out.getvalue()
    out = StringIO()
    call_command("holidays", "show", "2027", "--json", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["year"] == 2027 and shown["source"] == "notice"
    assert shown["holidays"][:3] == ["2027-01-01", "2027-01-02", "2027-01-03"]
    assert shown["workdays"] == ["2027-01-31", "2027-02-20", "2027-04-25", "2027-05-08", "2027-09-26", "2027-10-09"]
    out = StringIO()
    call_command("holidays", "show", "2025", "--json", stdout=out)
    package = json.loads(out.getvalue())
    assert package["source"] == "package"
    assert "2025-01-28" in package["holidays"] and "2025-01-26" in package["workdays"]


def test_cli_refuses_bad_input(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(notice_text(2026), encoding="utf-8")
    with pytest.raises(CommandError, match="2026"):
        call_command("holidays", "import", "--year", "2027", str(bad))
    latin = tmp_path / "latin.txt"
    latin.write_bytes("一、元旦".encode("gb18030"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("holidays", "import", "--year", "2027", str(latin))
    with pytest.raises(CommandError, match="不存在"):
        call_command("holidays", "import", "--year", "2027", str(tmp_path / "missing.txt"))
    assert not HolidayYear.objects.exists()

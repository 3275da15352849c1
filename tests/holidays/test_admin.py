"""Every reference table the guides tell an admin to edit has a Django admin page, and the holiday year's admin
checks the days as the staff pages do."""

import pytest
from django.test import Client

from jiceng.holidays.models import HolidayYear
from tests import factories as f

pytestmark = pytest.mark.django_db

REFERENCE_TABLES = ["holidays/holidayyear", "holidays/deadlinerecomputation", "demands/category", "demands/service",
                    "risk/signaltype", "risk/levelthreshold", "risk/playbook", "activities/compliancerule",
                    "members/duesrate", "members/pioneerweight", "accounts/roleassignment"]


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(f.user("root", superuser=True))
    return client


@pytest.mark.parametrize("table", REFERENCE_TABLES)
def test_reference_tables_have_admin_pages(admin_client, table):
    assert admin_client.get(f"/admin/{table}/").status_code == 200


def _year_form(**days) -> dict:
    data = {"year": "2027", "note": "", "notice_text": "", "published": "on",
            "dates-TOTAL_FORMS": str(len(days)), "dates-INITIAL_FORMS": "0",
            "dates-MIN_NUM_FORMS": "0", "dates-MAX_NUM_FORMS": "1000"}
    for index, (date, workday) in enumerate(days.items()):
        data[f"dates-{index}-date"] = date.replace("_", "-")[1:]
        data[f"dates-{index}-name"] = "测试"
        if workday:
            data[f"dates-{index}-is_workday"] = "on"
    return data


def test_admin_refuses_an_empty_year_and_a_weekday_make_up_day(admin_client):
    empty = admin_client.post("/admin/holidays/holidayyear/add/", _year_form())
    assert empty.status_code == 200 and "没有任何放假日期" in empty.content.decode()
    weekday = admin_client.post("/admin/holidays/holidayyear/add/", _year_form(d2027_01_01=False, d2027_01_06=True))
    assert weekday.status_code == 200 and "周六或周日" in weekday.content.decode()
    assert not HolidayYear.objects.exists()
    ok = admin_client.post("/admin/holidays/holidayyear/add/", _year_form(d2027_01_01=False, d2027_01_31=True))
    assert ok.status_code == 302
    year = HolidayYear.objects.get(year=2027)
    assert year.dates.count() == 2 and "2027-01-31" in year.days_summary

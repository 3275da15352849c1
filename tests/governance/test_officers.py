"""The four officers: the gap figure in the coverage report, the workload page and Excel in and out."""

import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from jiceng.accounts.models import Role
from jiceng.governance import services
from jiceng.governance.models import OfficerAssignment, OfficerKind
from jiceng.organizations.coverage import coverage_report
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(gov):
    tree = gov["tree"]
    ents = [f.enterprise(tree["building1"], name) for name in ("攀达科技", "创智物业", "数联智算")]
    f.enterprise(tree["park1"], "园区其他企业")  # not in a building with a council: outside the system
    people = {kind: f.user(f"officer_{kind}", Role.STREET_STAFF, tree["street1"]) for kind in OfficerKind.values}
    for ent in ents[:2]:
        for kind, person in people.items():
            services.assign_officer(enterprise=ent, kind=kind, person=person, by=gov["staff"])
    services.assign_officer(enterprise=ents[2], kind="safety", person=people["safety"], by=gov["staff"])
    return {**gov, "ents": ents, "people": people}


def test_gaps_in_the_coverage_report(officers):
    street = officers["tree"]["street1"]
    report = coverage_report(street)
    assert (report.officer_gaps, report.officer_governed) == (1, 3)
    assert report.as_dict()["officer_gaps"] == 1
    [(enterprise, missing)] = services.officer_gaps(street)
    assert enterprise.name == "数联智算" and missing == ["党建指导员", "经济服务员", "市场监管员"]
    assert coverage_report(officers["tree"]["street2"]).officer_gaps == 0
    web = Client()
    web.force_login(officers["staff"])
    page = web.get(f"/organizations/coverage/?place={street.pk}").content.decode()
    assert "四大员缺位" in page
    api = web.get(f"/api/coverage/?place={street.pk}").json()
    assert (api["officer_gaps"], api["officer_governed"]) == (1, 3)


def test_workload_per_officer(officers):
    loads = {w.person.username: w for w in services.workloads(OfficerAssignment.objects.all())}
    assert loads["officer_safety"].total == 3 and loads["officer_economic"].total == 2
    assert loads["officer_safety"].buildings == {"创智天地1号楼"}
    web = Client()
    web.force_login(officers["staff"])
    page = web.get("/governance/officers/workload/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "officer_safety" in text and "数联智算" in text


def test_excel_out_and_in(officers):
    web = Client()
    web.force_login(officers["staff"])
    exported = web.get("/governance/officers/?export=xlsx")
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 9 and "党建指导员" in {r[2] for r in rows}
    # Import the three missing kinds for the third enterprise; a bad row imports nothing.
    ent = officers["ents"][2]
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "类别", "负责人登录名", "备注"])
    sheet.append([ent.credit_code, "党建指导员", "officer_party_instructor", ""])
    sheet.append([ent.credit_code, "economic", "officer_economic", ""])
    sheet.append([ent.credit_code, "市场监管员", "nobody", ""])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "officers.xlsx"
    bad = web.post("/api/officer-assignments/import/", {"file": data})
    assert bad.status_code == 400
    assert any(e["row"] == 4 and "nobody" in e["reason"] for e in bad.json()["errors"])
    assert OfficerAssignment.objects.filter(enterprise=ent).count() == 1
    sheet.delete_rows(4)
    sheet.append([ent.credit_code, "市场监管员", "officer_market_supervision", "包干"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "officers.xlsx"
    good = web.post("/api/officer-assignments/import/", {"file": data})
    assert good.status_code == 201, good.content
    assert OfficerAssignment.objects.filter(enterprise=ent).count() == 4
    assert services.officer_gaps(officers["tree"]["street1"]) == []


def test_governed_means_at_or_below_a_council_place_whatever_the_ids(gov):
    """A council governs the enterprises at its place and below it, never those of a place whose id merely shares
    digits with its own (paths are "/1/12/123/"): checked against the paths compared in Python."""
    from jiceng.enterprises.models import Enterprise
    from jiceng.places.models import Place, PlaceKind

    tree = gov["tree"]
    unit = f.place("创智天地1号楼 5F", PlaceKind.UNIT, tree["building1"])
    for number in range(12):  # enough places that some ids contain the council places' ids as digits
        f.place(f"殷行园区{number}号楼", PlaceKind.BUILDING, tree["park2"])
    for place in Place.objects.exclude(kind=PlaceKind.DISTRICT):
        f.enterprise(place, f"{place.name}的企业")
    assert Enterprise.objects.filter(place=unit).exists()
    council_paths = [c.place.path for c in services.Council.objects.select_related("place")]
    expected = sum(1 for e in Enterprise.objects.select_related("place")
                   if any(e.place.path.startswith(path) for path in council_paths))
    _gaps, governed = services.officer_gap_count(tree["district"])
    assert governed == expected == 3  # building 1, its unit, building 2

"""Governance pages: they open for the roles that see the council and are 404 elsewhere; bad input on a page is a
message naming the field, nothing saved; the building page names the head."""

import datetime as dt

import pytest
from django.test import Client

from jiceng.governance import services
from jiceng.governance.models import HeadSelection
from tests import factories as f

from .conftest import DAY, run_to_head

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_open_in_scope_and_are_404_outside(gov):
    selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY)
    meeting = services.record_meeting(gov["council"], title="例会", held_at=dt.datetime(2026, 3, 20, 6, tzinfo=dt.UTC),
                                      decisions=[services.DecisionInput("修门禁", gov["members"]["property"], 3)])
    notice = services.current_notice(selection)
    urls = [gov["council"].get_absolute_url(), selection.get_absolute_url(), meeting.get_absolute_url(),
            f"/governance/notices/{notice.pk}/print/"]
    staff, other = web(gov["staff"]), web(gov["staff2"])
    for url in urls:
        assert staff.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
    for url in ("/governance/", "/governance/selections/", "/governance/meetings/", "/governance/decisions/",
                "/governance/officers/", "/governance/officers/workload/", "/governance/alliances/"):
        assert staff.get(url).status_code == 200, url
    printed = staff.get(f"/governance/notices/{notice.pk}/print/").content.decode()
    assert "王楼长" in printed and "2026-03-23" in printed


def test_nominating_on_the_page_with_too_short_a_period_saves_nothing(gov):
    response = web(gov["staff"]).post(f"/governance/councils/{gov['council'].pk}/nominate/",
                                      {"nominee": gov["members"]["candidate"].pk, "notice_days": 2}, follow=True)
    assert HeadSelection.objects.count() == 0
    assert "公示期" in response.content.decode()


def test_the_building_page_names_the_head(gov):
    selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY)
    run_to_head(selection, gov["staff"], DAY)
    page = web(gov["staff"]).get(gov["tree"]["building1"].get_absolute_url()).content.decode()
    assert "王楼长" in page and "向楼长反映需求" in page
    form = Client().get(f"/demands/submit/?place={gov['tree']['building1'].pk}").content.decode()
    assert "王楼长" in form


def test_alliances_are_seen_through_their_street_or_a_member_council(gov):
    from jiceng.governance.models import Alliance

    alliance = Alliance.objects.create(place=gov["tree"]["street1"], name="五角场楼宇党群联盟")
    assert list(Alliance.objects.restrict(gov["staff"])) == [alliance]
    assert list(Alliance.objects.restrict(gov["staff2"])) == []
    worker2 = f.user("w2", "building_worker", gov["tree"]["park2"])
    assert list(Alliance.objects.restrict(worker2)) == []
    gov["council"].alliance = alliance
    gov["council"].save()
    worker1 = f.user("w1", "building_worker", gov["tree"]["building1"])
    assert list(Alliance.objects.restrict(worker1)) == [alliance]  # through their building's council

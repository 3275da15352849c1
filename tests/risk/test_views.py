"""Risk pages: board, list with export, follow-up board, enterprise page and its forms; scoping 404s."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.accounts.models import AuditEvent
from jiceng.risk import services
from jiceng.risk.choices import FollowUpStatus
from jiceng.risk.models import EnterpriseRisk, FollowUp, LevelChange, Signal
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def risky(world):
    services.record_signal(enterprise=world["ent"], type="registration_moved")  # 50 → yellow
    services.record_signal(enterprise=world["ent"], type="intends_to_move")  # 90 → red
    services.record_signal(enterprise=world["other_ent"], type="intends_to_move")  # 40 → yellow
    return world


def test_pages_need_login(client, world):
    for url in (reverse("risk:board"), reverse("risk:list"), reverse("risk:follow_ups"),
                reverse("risk:enterprise", args=[world["ent"].pk])):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"]


def test_board_counts_grid_and_changes(client, risky):
    client.force_login(risky["staff"])
    quiet = f.enterprise(risky["tree"]["building1"], "安稳咨询")
    r = client.get(reverse("risk:board"))
    assert r.status_code == 200
    counts = {c["value"]: c["count"] for c in r.context["counts"]}
    assert counts == {1: 1, 2: 0, 3: 0, 4: 0, 5: 1}  # the other street's yellow enterprise is not counted
    page = r.content.decode()
    assert f'data-enterprise="{risky["ent"].pk}" data-level="5"' in page
    assert f'data-enterprise="{quiet.pk}" data-level="1"' in page
    assert risky["other_ent"].name not in page
    assert [c.enterprise for c in r.context["changes"]] == [risky["ent"], risky["ent"]]
    assert r.context["follow_up_counts"]["open"] == 1
    assert "echarts" not in page  # the chart library loads only on the enterprise page


def test_board_place_filter_is_scoped(client, risky):
    client.force_login(risky["staff"])
    r = client.get(reverse("risk:board"), {"place": risky["tree"]["building1"].pk})
    assert r.status_code == 200 and r.context["total"] == 1
    assert client.get(reverse("risk:board"), {"place": risky["tree"]["building2"].pk}).status_code == 404
    assert client.get(reverse("risk:board"), {"place": "abc"}).status_code == 404
    r = client.get(reverse("risk:board"), {"level": "5"})
    assert [t["pk"] for _place, tiles in r.context["grid"] for t in tiles] == [risky["ent"].pk]


def test_list_sorts_and_exports(client, risky):
    tree = risky["tree"]
    middle = f.enterprise(tree["building1"], "中等科技")
    services.record_signal(enterprise=middle, type="rent_arrears")
    client.force_login(risky["staff"])
    r = client.get(reverse("risk:list"))
    assert r.status_code == 200
    assert [obj.name for obj, _info, _values in r.context["rows"]] == ["攀达科技", "中等科技"]
    r = client.get(reverse("risk:list"), {"sort": "score"})
    assert [obj.name for obj, _info, _values in r.context["rows"]] == ["中等科技", "攀达科技"]
    r = client.get(reverse("risk:list"), {"level": "5"})
    assert [obj.name for obj, _info, _values in r.context["rows"]] == ["攀达科技"]
    r = client.get(reverse("risk:list"), {"export": "xlsx"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("企业", "楼宇/园区", "风险分值", "风险等级")
    assert [row[:5] for row in rows[1:]] == [("攀达科技", "创智天地1号楼", 90, "不稳定", "红色"),
                                              ("中等科技", "创智天地1号楼", 25, "较稳定", "蓝色")]
    assert AuditEvent.objects.filter(action="export", user=risky["staff"]).exists()
    assert client.get(reverse("risk:list"), {"place": tree["park2"].pk}).status_code == 404


def test_list_query_count_is_bounded(client, risky, django_assert_max_num_queries):
    for _ in range(20):
        services.record_signal(enterprise=f.enterprise(risky["tree"]["building1"]), type="rent_arrears")
    client.force_login(risky["staff"])
    client.get(reverse("risk:list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("risk:list"), {"per_page": 100}).status_code == 200


def test_enterprise_page_explains_and_404s_outside_scope(client, risky):
    client.force_login(risky["staff"])
    assert client.get(reverse("risk:enterprise", args=[risky["other_ent"].pk])).status_code == 404
    r = client.get(reverse("risk:enterprise", args=[risky["ent"].pk]))
    assert r.status_code == 200
    assert r.context["explained_score"] == r.context["risk"].score == 90
    page = r.content.decode()
    assert "vendor/echarts/echarts.min.js" in page and 'id="risk-level-history"' in page
    assert "注册地迁出" in page and "有迁出意向" in page
    assert client.get(reverse("risk:enterprise", args=[999999])).status_code == 404


def test_record_signal_form(client, risky):
    ent = risky["ent"]
    client.force_login(risky["worker"])
    url = reverse("risk:record_signal", args=[ent.pk])
    r = client.post(url, {"type": "intends_to_shrink", "observed_on": "2026-01-01", "points": "-5"})
    assert r.status_code == 400 and "不允许负分值" in r.content.decode()
    r = client.post(url, {"type": "intends_to_shrink", "observed_on": "2026-11-01", "evidence": "缩减两层"})
    assert r.status_code == 302
    assert Signal.objects.filter(enterprise=ent, type__code="intends_to_shrink", recorded_by=risky["worker"]).exists()
    assert client.post(reverse("risk:record_signal", args=[risky["other_ent"].pk]),
                       {"type": "intends_to_shrink", "observed_on": "2026-11-01"}).status_code == 404
    client.force_login(risky["contact"])
    assert client.post(url, {"type": "intends_to_shrink", "observed_on": "2026-11-01"}).status_code == 403


def test_override_form_requires_reason(client, risky):
    ent = risky["ent"]
    client.force_login(risky["staff"])
    url = reverse("risk:override", args=[ent.pk])
    r = client.post(url, {"level": "2", "reason": ""})
    assert r.status_code == 400 and "调整等级须说明理由" in r.content.decode()
    assert EnterpriseRisk.objects.get(enterprise=ent).override_level is None
    r = client.post(url, {"level": "2", "reason": "企业已续租三年"})
    assert r.status_code == 302
    risk = EnterpriseRisk.objects.get(enterprise=ent)
    assert (risk.level, risk.override_reason, risk.overridden_by) == (2, "企业已续租三年", risky["staff"])
    assert LevelChange.objects.filter(enterprise=ent, kind="override", reason="企业已续租三年").exists()
    page = client.get(reverse("risk:enterprise", args=[ent.pk])).content.decode()
    assert "企业已续租三年" in page
    client.force_login(risky["worker"])
    assert client.post(url, {"level": "5", "reason": "x"}).status_code == 403
    client.force_login(risky["staff2"])
    assert client.post(url, {"level": "5", "reason": "x"}).status_code == 404


def test_follow_up_board_and_close(client, risky):
    follow_up = FollowUp.objects.get(enterprise=risky["ent"], status=FollowUpStatus.OPEN)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_date="2026-01-05")  # overdue
    client.force_login(risky["staff"])
    r = client.get(reverse("risk:follow_ups"))
    assert r.status_code == 200
    assert [(fu, overdue) for fu, overdue in r.context["rows"]] == [(follow_up, True)]
    assert 'data-overdue="1"' in r.content.decode()
    url = reverse("risk:follow_up_close", args=[follow_up.pk])
    client.post(url, {"outcome": ""})
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN
    r = client.post(url, {"outcome": "已上门,企业决定留下", "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == reverse("risk:follow_ups")
    assert FollowUp.objects.get(pk=follow_up.pk).outcome == "已上门,企业决定留下"
    assert client.get(reverse("risk:follow_ups")).context["rows"] == []
    closed = client.get(reverse("risk:follow_ups"), {"status": "closed"}).context["rows"]
    assert follow_up.pk in [fu.pk for fu, _overdue in closed]
    other = FollowUp.objects.get(enterprise=risky["other_ent"])
    assert client.post(reverse("risk:follow_up_close", args=[other.pk]), {"outcome": "x"}).status_code == 404


def test_navigation_has_the_board(client, world):
    client.force_login(world["staff"])
    page = client.get(reverse("risk:board")).content.decode()
    assert 'href="/risk/"' in page and "稳商" in page

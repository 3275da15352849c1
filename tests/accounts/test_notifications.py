"""Notifications are stored as a key and parameters and read in the reader's language (decision 048)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from jiceng.accounts import notifications as n
from jiceng.accounts.models import Notification
from jiceng.accounts.notify import notify
from jiceng.matching.models import ProjectStatus
from jiceng.risk.choices import RiskLevel
from jiceng.risk.defaults import PLAYBOOKS, PLAYBOOKS_EN
from tests import factories as f

SRC = Path(__file__).resolve().parents[2] / "src" / "jiceng"


@pytest.fixture
def reader(db):
    return f.user("reader")


def test_made_in_chinese_read_in_english_and_back(reader):
    with translation.override("zh-hans"):
        row = notify([reader], "venues.booking_approved", {"booking": "创智天地 · 会议室 2026-10-12 09:00–10:00"})[0]
    with translation.override("en"):
        made_in_english = notify([reader], "demand.resolved", {"t": "电梯维修"})[0]
    row.refresh_from_db()
    assert row.key == "venues.booking_approved"
    assert row.params == {"booking": "创智天地 · 会议室 2026-10-12 09:00–10:00"}
    with translation.override("en"):
        assert row.text == "Your room booking has been approved: 创智天地 · 会议室 2026-10-12 09:00–10:00"
        assert str(Notification.objects.get(pk=made_in_english.pk)) == (
            "Your demand has been resolved: 电梯维修. Please rate it.")
    with translation.override("zh-hans"):
        assert row.text == "您的场地预约已批准:创智天地 · 会议室 2026-10-12 09:00–10:00"
        assert Notification.objects.get(pk=made_in_english.pk).text == "您的需求已办结:电梯维修,请评价。"
    # The stored sentence is the platform's default language, whoever caused it (searching, e-mail).
    assert Notification.objects.get(pk=made_in_english.pk).message == "您的需求已办结:电梯维修,请评价。"


def test_labels_dates_and_reference_data_are_translated_when_read(reader):
    with translation.override("zh-hans"):
        row = notify([reader], "risk.level_rose", {
            "name": "攀达科技", "level": RiskLevel(4).label, "due": n.due(dt.date(2027, 1, 6), provisional=True),
            "action": n.bilingual(PLAYBOOKS[4][0], PLAYBOOKS_EN[4])})[0]
    row.refresh_from_db()
    assert row.params["level"] == {"t": "较不稳定"}  # the msgid, not the sentence of the moment
    with translation.override("en"):
        text = row.text
    assert text.startswith("Risk alert: 攀达科技 has risen to “Fairly unstable”. Follow up by 2027-01-06 (provisional)")
    assert PLAYBOOKS_EN[4] in text
    with translation.override("zh-hans"):
        assert row.text == (f"风险预警:攀达科技 升至“较不稳定”,请于 2027-01-06(暂定) 前跟进:{PLAYBOOKS[4][0]}")


def test_numbers_stay_numbers_and_project_status_follows_the_reader(reader):
    digest = notify([reader], "risk.digest", {"n": 3})[0]
    status = notify([reader], "matching.project_status", {"p": "午餐配送", "s": ProjectStatus.AGREED.label})[0]
    with translation.override("en"):
        assert "the risk level of 3 enterprise(s) has risen" in digest.text
        assert status.text == "Project “午餐配送”: Confirmed"
        assert n.rendered_params(status.params) == {"p": "午餐配送", "s": "Confirmed"}


def test_old_rows_without_a_key_keep_their_text(reader):
    row = Notification.objects.create(user=reader, message="系统维护通知:今晚停机一小时")
    with translation.override("en"):
        assert row.text == "系统维护通知:今晚停机一小时"
    # A key this version does not know (a newer version's row, after a downgrade) also falls back.
    row = Notification.objects.create(user=reader, key="future.kind", params={"x": 1}, message="以后的通知")
    assert row.text == "以后的通知"
    # Parameters damaged by hand (the admin, SQL) never break a page: the stored sentence shows.
    for params in ([1, 2], {"t": {"t": ""}}, {"t": {"t": "%(x)s", "p": {}}}, {}):
        row = Notification(user=reader, key="demand.resolved", params=params, message="您的需求已办结")
        assert isinstance(row.text, str)
    assert Notification(user=reader, key="demand.resolved", params=[1], message="原句").text == "原句"


def test_unknown_key_or_missing_parameter_is_refused_where_the_notification_is_made(reader):
    with pytest.raises(n.UnknownKey):
        notify([reader], "您的需求已办结:电梯维修,请评价。")
    with pytest.raises(KeyError):
        notify([reader], "demand.resolved", {})
    assert not Notification.objects.exists()


def test_every_key_has_an_english_translation():
    for key, kind in n.KINDS.items():
        with translation.override("en"):
            english = str(kind.template)
        assert english != n.msgid(kind.template), key
        assert sorted(n._PLACEHOLDER.findall(english)) == sorted(n._PLACEHOLDER.findall(n.msgid(kind.template))), key


def test_every_notify_call_uses_a_registered_key():
    """One helper, one registry: every call of notify() in the code names a key of the registry."""
    calls = 0
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("notify", "_tell_requester"):
                key = node.args[1]
                if isinstance(key, ast.Name) and key.id == "key":  # a helper passing on its caller's key
                    continue
                assert isinstance(key, ast.Constant) and key.value in n.KINDS, f"{path}:{node.lineno}"
                calls += 1
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Notification":
                assert path.name == "notify.py", f"{path}:{node.lineno} creates a Notification outside notify()"
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("create", "bulk_create", "get_or_create", "update_or_create")
                    and "Notification.objects" in ast.unparse(node.func.value)):
                assert path.name == "notify.py", f"{path}:{node.lineno} creates a Notification outside notify()"
    assert calls >= len(n.KINDS)


# --- converting sentences stored before keys existed ---------------------------------------------------------------
@pytest.mark.parametrize(("message", "key", "params"), [
    ("新派单:空调坏了(期限 2026-09-21)", "demand.assigned", {"t": "空调坏了", "d": "2026-09-21"}),
    ("新派单:空调坏了(期限 2027-01-06(暂定))", "demand.assigned",
     {"t": "空调坏了", "d": {"t": "%(date)s(暂定)", "p": {"date": "2027-01-06"}}}),
    ("New assignment: 空调坏了 (due 2027-01-06 (provisional))", "demand.assigned",
     {"t": "空调坏了", "d": {"t": "%(date)s(暂定)", "p": {"date": "2027-01-06"}}}),
    ("风险重算:12 家企业风险等级上升,请按处置预案在期限内跟进。", "risk.digest", {"n": 12}),
    (f"风险预警:攀达科技 升至“不稳定”,请于 2026-10-08 前跟进:{PLAYBOOKS[5][0]}", "risk.level_rose",
     {"name": "攀达科技", "level": {"t": "不稳定"}, "due": "2026-10-08",
      "action": {"l": {"zh-hans": PLAYBOOKS[5][0], "en": PLAYBOOKS_EN[5]}}}),
    ("项目“午餐配送”:已确认", "matching.project_status", {"p": "午餐配送", "s": {"t": "已确认"}}),
    ("Project “午餐配送”: Confirmed", "matching.project_status", {"p": "午餐配送", "s": {"t": "已确认"}}),
    ("您的场地预约未获批准:会议室 2026-10-12 09:00–10:00。理由:时间冲突", "venues.booking_rejected",
     {"booking": "会议室 2026-10-12 09:00–10:00", "reason": "时间冲突"}),
])
def test_recognize_old_sentences(message, key, params):
    assert n.recognize(message) == (key, params)


def test_unrecognized_sentences_stay_as_they_are():
    assert n.recognize("系统维护通知:今晚停机一小时") is None
    assert n.recognize("") is None


def test_conversion_of_stored_rows(reader):
    """The function the data migration accounts/0004 runs, on rows as they were stored before keys."""
    old = [Notification.objects.create(user=reader, message=text) for text in (
        "候补成功:您已获得“读书会”(2026-10-12 19:00)的名额。",
        "Activity cancelled: 读书会 (2026-10-12 19:00)",
        "系统维护通知:今晚停机一小时")]
    keyed = notify([reader], "risk.digest", {"n": 2})[0]
    assert n.convert_rows(Notification, batch=2) == 2
    promoted, cancelled, unknown = (Notification.objects.get(pk=row.pk) for row in old)
    assert (promoted.key, promoted.params) == ("activity.promoted", {"title": "读书会", "when": "2026-10-12 19:00"})
    assert cancelled.key == "activity.cancelled"
    assert cancelled.message == "Activity cancelled: 读书会 (2026-10-12 19:00)"  # the sentence stays
    assert (unknown.key, unknown.params) == ("", {})
    with translation.override("en"):
        assert promoted.text == "Off the waiting list: you now have a place at “读书会” (2026-10-12 19:00)."
        assert unknown.text == "系统维护通知:今晚停机一小时"
    with translation.override("zh-hans"):
        assert cancelled.text == "活动已取消:读书会(2026-10-12 19:00)"
    assert Notification.objects.get(pk=keyed.pk).params == {"n": 2}
    assert n.convert_rows(Notification) == 0  # nothing left to convert


def test_default_language_is_the_source_language():
    # The stored sentence is rendered in settings.LANGUAGE_CODE; the registry's msgids are Chinese.
    assert settings.LANGUAGE_CODE == n.SOURCE_LANGUAGE

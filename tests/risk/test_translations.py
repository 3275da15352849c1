"""Signal types and playbook actions carry English (decision 049); risk notifications read in the reader's
language (decision 048)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from jiceng.accounts.models import Notification
from jiceng.risk import defaults, services
from jiceng.risk.models import FollowUp, Playbook, SignalType
from tests.risk.conftest import api_for

pytestmark = pytest.mark.django_db

RISE_DAY = dt.date(2026, 9, 30)


def test_default_rows_have_english_after_migrating():
    # The test database is built by the migrations: 0002 installs the defaults, 0005 fills in the English.
    names = dict(SignalType.objects.values_list("code", "name_en"))
    assert names == {code: defaults.SIGNAL_TYPE_NAMES_EN[code] for code, *_rest in defaults.SIGNAL_TYPES}
    assert dict(Playbook.objects.values_list("level", "action_en")) == defaults.PLAYBOOKS_EN


def test_fill_english_keeps_an_admins_own_wording():
    SignalType.objects.filter(code="rent_arrears").update(name="欠缴房租", name_en="")
    SignalType.objects.filter(code="manual").update(name_en="")
    defaults.fill_english()
    assert SignalType.objects.get(code="rent_arrears").name_en == ""  # renamed: the English no longer fits
    assert SignalType.objects.get(code="manual").name_en == "Other circumstances"


def test_signal_type_label_and_api():
    signal_type = SignalType.objects.get(code="intends_to_move")
    with translation.override("en"):
        assert str(signal_type) == "Intends to move out"
    with translation.override("zh-hans"):
        assert str(signal_type) == "有迁出意向"


def test_rise_in_chinese_reads_in_english(world):
    ent = world["ent"]
    with translation.override("zh-hans"):
        services.record_signal(enterprise=ent, type="registration_moved", observed_on=RISE_DAY, today=RISE_DAY)
        services.record_signal(enterprise=ent, type="intends_to_move", observed_on=RISE_DAY, today=RISE_DAY)
    follow_up = FollowUp.objects.get(enterprise=ent, level=5)
    assert follow_up.action_en == defaults.PLAYBOOKS_EN[5]
    note = Notification.objects.filter(user=world["staff"], key="risk.level_rose").latest("pk")
    with translation.override("en"):
        text = note.text
        assert follow_up.action_label == defaults.PLAYBOOKS_EN[5]
    assert text == f"Risk alert: 攀达科技 has risen to “Unstable”. Follow up by 2026-10-08: {defaults.PLAYBOOKS_EN[5]}"
    client = Client()
    client.force_login(world["staff"])
    client.cookies["django_language"] = "en"
    page = client.get(f"/risk/enterprises/{ent.pk}/").content.decode()
    assert "Registered address moved away" in page and "Intends to move out" in page and "注册地迁出" not in page
    board = client.get("/risk/follow-ups/").content.decode()
    assert defaults.PLAYBOOKS_EN[5] in board
    api = api_for(world["staff"])
    api.cookies["django_language"] = "en"
    signals = api.get(f"/api/risk/signals/?enterprise={ent.pk}").json()
    rows = signals["results"] if isinstance(signals, dict) else signals
    names = {(row["type_name"], row["type_name_en"]) for row in rows}
    assert ("注册地迁出", "Registered address moved away") in names
    types = api.get("/api/risk/signal-types/").json()
    types = types["results"] if isinstance(types, dict) else types
    assert {row["code"]: row["name_en"] for row in types}["manual"] == "Other circumstances"

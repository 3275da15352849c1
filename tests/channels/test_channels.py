"""Each channel against a fake server: success, HTTP 500, errcode ≠ 0 and a timeout are logged and retried, and
never fail the request that caused them; preferences choose the channels; the SMS request is signed."""

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.test import override_settings

from jiceng.accounts.models import Notification, Role
from jiceng.accounts.notify import notify
from jiceng.channels import senders
from jiceng.channels.events import save_preferences
from jiceng.channels.models import Channel, Delivery, Robot, Status, UserContact
from tests import factories as f
from tests.channels.conftest import OK

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree):
    user = f.user("street", Role.STREET_STAFF, tree["street1"])
    user.email = "street@example.org"
    user.save()
    UserContact.objects.create(user=user, mobile="13812345678")
    return user


def robot(tree, url, **kw):
    return Robot.objects.create(name="五角场街道工作群", webhook_url=f"{url}/cgi-bin/webhook/send?key=abcd-1234",
                                place=tree["street1"], kinds=["demands", "risk"], **kw)


def escalate(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], "demand.escalated", {"t": "路灯不亮", "d": "2026-03-01"}, "/demands/1/")


@override_settings(JICENG_SMS_URL="")
def test_street_event_reaches_the_street_robot_and_the_user_by_email_and_console_sms(
        tree, staff, fake_server, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    bot = robot(tree, fake_server.url)
    escalate(staff, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=staff, key="demand.escalated").count() == 1
    (request,) = fake_server.requests
    assert request.path == "/cgi-bin/webhook/send?key=abcd-1234"
    body = request.json
    assert body["msgtype"] == "text" and "路灯不亮" in body["text"]["content"]
    assert body["text"]["mentioned_mobile_list"] == ["13812345678"]  # the staffer's default: WeCom on for demands
    wecom = Delivery.objects.get(channel=Channel.WECOM)
    assert (wecom.status, wecom.attempts, wecom.robot, wecom.street_id) == (Status.SENT, 1, bot, tree["street1"].pk)
    assert '"errcode": 0' in wecom.answer
    assert mail.outbox[0].to == ["street@example.org"] and "路灯不亮" in mail.outbox[0].subject
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert email.status == Status.SENT
    sms = Delivery.objects.get(channel=Channel.SMS)
    assert (sms.status, sms.answer, sms.recipient) == (Status.SENT, "console", "13812345678")
    assert "路灯不亮" in (tmp_path / "sms" / "outbox.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("answer", [(500, {"error": "boom"}), (200, {"errcode": 93000, "errmsg": "invalid webhook"})])
def test_robot_errors_are_retried_then_failed_with_the_answer(tree, staff, fake_server, answer,
                                                               django_capture_on_commit_callbacks, settings):
    settings.JICENG_DELIVERY_RETRIES = 3
    robot(tree, fake_server.url)
    fake_server.script = [answer]
    escalate(staff, django_capture_on_commit_callbacks)
    wecom = Delivery.objects.get(channel=Channel.WECOM)
    assert len(fake_server.requests) == 4  # the first attempt and three retries
    assert (wecom.status, wecom.attempts) == (Status.FAILED, 4)
    assert ("500" in wecom.answer) if answer[0] == 500 else ("93000" in wecom.answer)
    # the other channels were not held back
    assert Delivery.objects.get(channel=Channel.EMAIL).status == Status.SENT


def test_a_failure_then_success_is_sent_on_the_retry(tree, staff, fake_server, django_capture_on_commit_callbacks):
    robot(tree, fake_server.url)
    fake_server.script = [(500, {"error": "busy"}), OK]
    escalate(staff, django_capture_on_commit_callbacks)
    wecom = Delivery.objects.get(channel=Channel.WECOM)
    assert (wecom.status, wecom.attempts) == (Status.SENT, 2)


def test_a_robot_that_times_out_is_logged_and_retried(tree, staff, fake_server, django_capture_on_commit_callbacks,
                                                      settings):
    settings.JICENG_DELIVERY_TIMEOUT = 0.05
    settings.JICENG_DELIVERY_RETRIES = 1
    robot(tree, fake_server.url)
    fake_server.script = ["hang"]
    escalate(staff, django_capture_on_commit_callbacks)
    wecom = Delivery.objects.get(channel=Channel.WECOM)
    assert (wecom.status, wecom.attempts) == (Status.FAILED, 2)
    assert "timeout" in wecom.answer


def test_backoff_keeps_a_retrying_row_with_its_next_attempt(tree, staff, fake_server, settings):
    from jiceng.channels import delivery

    settings.JICENG_DELIVERY_BACKOFF = 30
    robot(tree, fake_server.url)
    fake_server.script = [(500, {"error": "busy"})]
    notify([staff], "demand.escalated", {"t": "路灯不亮", "d": "2026-03-01"}, "/demands/1/")  # not committed: queued
    wecom = Delivery.objects.get(channel=Channel.WECOM)
    assert wecom.status == Status.QUEUED
    assert delivery.attempt(wecom.pk) == 30
    wecom.refresh_from_db()
    assert wecom.status == Status.RETRYING and wecom.next_attempt is not None
    assert delivery.attempt(wecom.pk) == 120  # ×4
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [30, 120, 480]


def test_default_robot_from_the_environment(tree, staff, fake_server, django_capture_on_commit_callbacks, settings):
    settings.JICENG_WECOM_WEBHOOK = f"{fake_server.url}/default?key=zz"
    escalate(staff, django_capture_on_commit_callbacks)
    assert [r.path for r in fake_server.requests] == ["/default?key=zz"]
    assert Delivery.objects.get(channel=Channel.WECOM).masked_recipient.endswith("key=zz****")


def test_personal_events_go_to_robots_only_when_chosen(tree, staff, fake_server, django_capture_on_commit_callbacks):
    robot(tree, fake_server.url)
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff], "activity.promoted", {"title": "读书会", "when": "3月5日"})
    assert fake_server.requests == []  # activities: not a street event, and WeCom off by default
    save_preferences(staff, {"activities": {"email": False, "sms": False, "wecom": True}})
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff], "activity.promoted", {"title": "读书会", "when": "3月5日"})
    (request,) = fake_server.requests
    assert request.json["text"]["mentioned_mobile_list"] == ["13812345678"]
    assert not Delivery.objects.filter(event="activity.promoted", channel__in=[Channel.EMAIL, Channel.SMS],
                                       created__gte=Delivery.objects.get(channel=Channel.WECOM).created).exists()


def test_an_event_turned_off_on_sms_sends_no_sms(tree, staff, django_capture_on_commit_callbacks):
    save_preferences(staff, {"demands": {"email": True, "sms": False, "wecom": False}})
    escalate(staff, django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(channel=Channel.SMS).exists()
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 1


def test_markdown_robot(tree, staff, fake_server, django_capture_on_commit_callbacks):
    robot(tree, fake_server.url, markdown=True)
    escalate(staff, django_capture_on_commit_callbacks)
    body = fake_server.requests[0].json
    assert body["msgtype"] == "markdown" and "<@13812345678>" in body["markdown"]["content"]


def test_a_new_demand_tells_its_street_robot(tree, fake_server, django_capture_on_commit_callbacks):
    from jiceng.demands.models import Demand

    robot(tree, fake_server.url)
    with django_capture_on_commit_callbacks(execute=True):
        Demand.objects.create(place=tree["building1"], title="电梯故障", text="三号电梯停了")
    (request,) = fake_server.requests
    assert "电梯故障" in request.json["text"]["content"]
    assert Delivery.objects.get().event == "demand.new"


def test_sms_gateway_request_is_signed(tree, staff, fake_server, django_capture_on_commit_callbacks, settings):
    settings.JICENG_SMS_URL = f"{fake_server.url}/sms"
    settings.JICENG_SMS_KEY = "s3cret"
    settings.JICENG_SMS_TEMPLATES = {"code": "T-CODE", "notice": "T-NOTICE"}
    save_preferences(staff, {"demands": {"email": False, "sms": True, "wecom": False}})
    escalate(staff, django_capture_on_commit_callbacks)
    (request,) = fake_server.requests
    timestamp = request.headers["X-Jiceng-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Jiceng-Signature"] == f"sha256={expected}"
    body = json.loads(request.body)
    assert body["mobile"] == "13812345678" and body["template"] == "T-NOTICE" and "路灯不亮" in body["text"]
    assert Delivery.objects.get(channel=Channel.SMS).status == Status.SENT


def test_sms_gateway_500_is_retried(tree, staff, fake_server, django_capture_on_commit_callbacks, settings):
    settings.JICENG_SMS_URL = f"{fake_server.url}/sms"
    fake_server.script = [(500, {"error": "down"}), (200, {"ok": True})]
    escalate(staff, django_capture_on_commit_callbacks)
    sms = Delivery.objects.get(channel=Channel.SMS)
    assert (sms.status, sms.attempts) == (Status.SENT, 2)


def test_sign_matches_the_documented_format():
    assert senders.sign("k", "1700000000", b'{"a":1}') == hmac.new(
        b"k", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()


def test_email_failure_is_logged(tree, staff, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "tests.channels.test_channels.BrokenBackend"
    settings.JICENG_DELIVERY_RETRIES = 0
    escalate(staff, django_capture_on_commit_callbacks)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert email.status == Status.FAILED and "SMTP down" in email.answer


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")

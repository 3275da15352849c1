"""One-time SMS codes (expiry, five wrong → locked, rate limits) and self-registration at /accounts/register/."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from jiceng.channels import verification
from jiceng.channels.models import Channel, Delivery, MobileLock, UserContact, VerificationCode
from jiceng.channels.verification import CodeRefused, check_code, send_code

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.UTC)
MOBILE = "13912345678"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_code_is_six_digits_stored_hashed_and_used_once(clock):
    sent = send_code(MOBILE, "register", "10.0.0.1")
    assert re.fullmatch(r"\d{6}", sent.code)
    row = VerificationCode.objects.get()
    assert row.code_hash != sent.code and len(row.code_hash) == 64
    assert sent.delivery.channel == Channel.SMS and sent.code not in sent.delivery.summary
    check_code(MOBILE, "register", sent.code)
    with pytest.raises(CodeRefused) as refused:
        check_code(MOBILE, "register", sent.code)
    assert refused.value.code == "expired"


def test_code_expires_after_five_minutes(clock):
    sent = send_code(MOBILE, "register")
    clock.shift(dt.timedelta(minutes=5, seconds=1))
    with pytest.raises(CodeRefused) as refused:
        check_code(MOBILE, "register", sent.code)
    assert refused.value.code == "expired"


def test_five_wrong_codes_lock_the_mobile(clock):
    sent = send_code(MOBILE, "register")
    wrong = "000000" if sent.code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRefused, match=f"还可以再试 {left} 次"):
            check_code(MOBILE, "register", wrong)
    with pytest.raises(CodeRefused) as refused:
        check_code(MOBILE, "register", wrong)
    assert refused.value.code == "locked" and "锁定至" in refused.value.messages[0]
    assert MobileLock.objects.get(mobile=MOBILE).until == NOW + dt.timedelta(minutes=30)
    with pytest.raises(CodeRefused, match="锁定"):  # even the right code, and no new code while locked
        check_code(MOBILE, "register", sent.code)
    with pytest.raises(CodeRefused, match="锁定"):
        send_code(MOBILE, "register")
    clock.shift(dt.timedelta(minutes=31))
    again = send_code(MOBILE, "register")
    check_code(MOBILE, "register", again.code)


def test_one_code_per_minute_per_mobile_and_a_cap_per_address(clock, settings):
    send_code(MOBILE, "register", "10.0.0.1")
    with pytest.raises(CodeRefused) as refused:
        send_code(MOBILE, "register", "10.0.0.1")
    assert refused.value.code == "too_soon" and refused.value.wait == 60
    clock.shift(dt.timedelta(seconds=61))
    send_code(MOBILE, "register", "10.0.0.1")
    settings.SMS_CODES_PER_ADDRESS = 3
    send_code("13912340001", "register", "10.0.0.1")
    with pytest.raises(CodeRefused) as refused:
        send_code("13912340002", "register", "10.0.0.1")
    assert refused.value.code == "address_limit"
    send_code("13912340002", "register", "10.0.0.2")  # another address is not held back


def test_a_new_code_replaces_the_previous_one(clock):
    first = send_code(MOBILE, "register")
    clock.shift(dt.timedelta(seconds=61))
    second = send_code(MOBILE, "register")
    if first.code != second.code:
        with pytest.raises(CodeRefused):
            check_code(MOBILE, "register", first.code)
    check_code(MOBILE, "register", second.code)


def test_bad_mobile_is_a_clear_error():
    with pytest.raises(Exception, match="11位"):
        send_code("12345", "register")


# --- registration through the pages, with a fake SMS gateway ---------------------------------------------------

def code_from(fake_server) -> str:
    return fake_server.requests[-1].json["params"]["code"]


@pytest.fixture
def gateway(fake_server, settings):
    settings.JICENG_SMS_URL = f"{fake_server.url}/sms"
    settings.JICENG_SMS_KEY = "k"
    fake_server.script = [(200, {"ok": True})]
    return fake_server


def send(client, mobile=MOBILE):
    return client.post(reverse("channels:register"), {"action": "send", "mobile": mobile})


def register(client, code, mobile=MOBILE, **extra):
    return client.post(reverse("channels:register"), {"action": "register", "mobile": mobile, "code": code,
                                                      "name": "王小明", "password": "Lujiazui-2026", **extra})


def test_register_happy_path(client, gateway, django_capture_on_commit_callbacks, tree):
    assert client.get(reverse("channels:register")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client)
    assert response.status_code == 302
    page = client.get(reverse("channels:register"))
    assert "短信验证码" in page.content.decode()
    assert gateway.requests[0].json["mobile"] == MOBILE
    code = code_from(gateway)
    sms = Delivery.objects.get(channel=Channel.SMS)
    assert code not in str(sms.payload)  # a real gateway has it: the log keeps no code
    response = register(client, code)
    assert response.status_code == 302 and response.url == reverse("home")
    user = get_user_model().objects.get(username=MOBILE)
    assert user.first_name == "王小明" and not user.role_assignments.exists()
    assert UserContact.objects.get(user=user).verified_at is not None
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert 'data-testid="panel-resident"' in home.content.decode()


@pytest.mark.parametrize(("given", "lands"), [
    ("/p/7/", "/p/7/"),  # back to the building's page the visitor came from
    ("https://evil.example/", None),  # never another site (an open redirect)
    ("//evil.example/p/7/", None),
])
def test_register_returns_to_the_page_it_was_opened_from(client, gateway, django_capture_on_commit_callbacks,
                                                         given, lands):
    client.get(reverse("channels:register"), {"next": given})
    with django_capture_on_commit_callbacks(execute=True):
        send(client)
    response = register(client, code_from(gateway))
    assert response.status_code == 302 and response.url == (lands or reverse("home"))


def test_register_with_a_bad_code(client, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(client)
    code = code_from(gateway)
    response = register(client, "000000" if code != "000000" else "111111")
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not get_user_model().objects.filter(username=MOBILE).exists()


def test_register_with_a_mobile_already_used(client, gateway, tree):
    other = get_user_model().objects.create_user("someone", password="x")
    UserContact.objects.create(user=other, mobile=MOBILE)
    response = send(client)
    assert response.status_code == 400
    text = response.content.decode()
    assert "该手机号已注册" in text and reverse("accounts:login") in text
    assert gateway.requests == [] and not VerificationCode.objects.exists()


def test_register_rate_limited_resend_is_a_clear_429(client, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(client)
    response = send(client)
    assert response.status_code == 429 and "秒后再试" in response.content.decode()


def test_console_sms_shows_the_code_only_in_debug(client, settings, django_capture_on_commit_callbacks, tmp_path):
    settings.JICENG_SMS_URL = ""
    settings.DATA_DIR = tmp_path
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client)
    page = client.get(response.url).content.decode()
    code = re.search(r"验证码:(\d{6})", page).group(1)
    assert Delivery.objects.get().answer == "console" and code in (tmp_path / "sms" / "outbox.log").read_text()
    settings.DEBUG = False
    with time_machine.travel(dt.timedelta(minutes=2)):
        with django_capture_on_commit_callbacks(execute=True):
            response = send(client, "13912340009")
        assert "验证码:" not in client.get(response.url).content.decode()


def test_login_page_links_to_registration(client):
    assert reverse("channels:register") in client.get(reverse("accounts:login")).content.decode()


def test_verification_constants_follow_the_brief():
    assert (verification.CODE_DIGITS, verification.VALID_MINUTES, verification.MAX_FAILURES) == (6, 5, 5)

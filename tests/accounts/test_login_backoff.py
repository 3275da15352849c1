"""Login back-off (accounts/services.py) on the application's login and the admin's, with a controlled clock.

Keyed on username and client address with a growing lock, plus a limit per address over all usernames
(settings LOGIN_*). Nothing sleeps: the clock is django.utils.timezone.now, moved by the tests.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts import services
from jiceng.accounts.models import LoginFailure
from tests import factories as f

A, B = "10.0.0.1", "10.0.0.2"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "pass-12345"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture
def policy(settings):
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_ADDRESS_MAX_FAILURES = 20
    settings.LOGIN_BACKOFF_SECONDS = 30
    settings.LOGIN_BACKOFF_MAX_SECONDS = 120
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 3600
    return settings


def attempt(client, username, password, address=A, url=LOGIN):
    """(logged in?, page text) for one login attempt from ``address``, on a fresh session."""
    client.logout()
    data = {"username": username, "password": password}
    if url == ADMIN_LOGIN:
        data["next"] = "/admin/"
    response = client.post(url, data, REMOTE_ADDR=address)
    return response.status_code == 302 and "_auth_user_id" in client.session, response.content.decode()


def fail(client, username, times, address=A, url=LOGIN):
    for _ in range(times):
        ok, _page = attempt(client, username, "wrong", address, url)
        assert not ok


@pytest.fixture
def victim(db):
    return f.user("victim")


def test_five_failures_lock_that_username_from_that_address_for_30_seconds(client, clock, policy, victim):
    fail(client, "victim", 4)
    assert services.login_wait("victim", A) == 0  # four failures: no lock yet
    fail(client, "victim", 1)
    assert services.login_wait("victim", A) == 30
    clock.advance(29)
    ok, page = attempt(client, "victim", PASSWORD)
    assert not ok and "1 秒后再试" in page  # even the right password is refused, and the wait is shown
    clock.advance(1)
    assert services.login_wait("victim", A) == 0
    assert attempt(client, "victim", PASSWORD)[0]
    assert not LoginFailure.objects.filter(username="victim").exists()  # a success clears this pair


def test_refused_attempts_neither_check_the_password_nor_count(client, clock, policy, victim):
    fail(client, "victim", 5)
    for _ in range(10):
        clock.advance(2)
        assert not attempt(client, "victim", "wrong")[0]
    assert LoginFailure.objects.filter(username="victim").count() == 5
    clock.advance(10)  # 30 s after the fifth failure
    assert attempt(client, "victim", PASSWORD)[0]


def test_each_further_failure_doubles_the_lock_up_to_the_cap(client, clock, policy, victim):
    fail(client, "victim", 5)
    for expected in (60, 120, 120):  # 30 s, then 60, 120, and the cap (120 here)
        clock.advance(services.login_wait("victim", A))
        fail(client, "victim", 1)
        assert services.login_wait("victim", A) == expected
        clock.advance(expected - 1)
        assert services.login_wait("victim", A) == 1
        clock.advance(1)
        assert services.login_wait("victim", A) == 0
    assert policy.LOGIN_BACKOFF_MAX_SECONDS == 120


def test_a_strangers_failures_do_not_lock_the_user_out_from_their_own_address(client, clock, policy, victim):
    fail(client, "victim", 12, address=A)
    assert services.login_wait("victim", A) > 0
    assert services.login_wait("victim", B) == 0
    assert attempt(client, "victim", PASSWORD, address=B)[0]
    # ... and the real user's success does not wipe out the stranger's lock either.
    assert services.login_wait("victim", A) > 0


def test_an_empty_password_does_not_clear_the_count(client, clock, policy, victim):
    """Only a correct password clears failures; a form without a password must not reset the back-off."""
    fail(client, "victim", 4)
    client.post(LOGIN, {"username": "victim", "password": ""}, REMOTE_ADDR=A)
    fail(client, "victim", 1)
    assert services.login_wait("victim", A) == 30


def test_usernames_are_compared_without_case(client, clock, policy, victim):
    fail(client, "Victim", 3)
    fail(client, "VICTIM ", 2)
    assert services.login_wait("victim", A) == 30


def test_one_address_trying_many_usernames_is_slowed_down(client, clock, policy, victim):
    for i in range(19):
        fail(client, f"guess{i}", 1)
    assert services.login_wait("victim", A) == 0
    fail(client, "guess19", 1)  # the 20th failure from this address, over 20 usernames
    assert services.login_wait("victim", A) == 30
    assert not attempt(client, "victim", PASSWORD)[0]  # no username is tried from there for a while
    assert attempt(client, "victim", PASSWORD, address=B)[0]  # other addresses are not affected
    clock.advance(30)
    assert attempt(client, "victim", PASSWORD)[0]


def test_failures_older_than_the_window_are_forgotten(client, clock, policy, victim):
    fail(client, "victim", 4)
    clock.advance(3600)
    fail(client, "victim", 1)
    assert services.login_wait("victim", A) == 0
    assert LoginFailure.objects.filter(username="victim").count() == 1  # the old rows were deleted


def test_admin_login_has_the_same_back_off_and_shares_the_counts(client, db, clock, policy):
    f.user("root", superuser=True)
    fail(client, "root", 3, url=ADMIN_LOGIN)
    fail(client, "root", 2, url=LOGIN)  # the same implementation and the same failures
    ok, page = attempt(client, "root", PASSWORD, url=ADMIN_LOGIN)
    assert not ok and "30 秒后再试" in page
    assert not attempt(client, "root", PASSWORD, url=LOGIN)[0]
    assert attempt(client, "root", PASSWORD, address=B, url=ADMIN_LOGIN)[0]
    clock.advance(30)
    assert attempt(client, "root", PASSWORD, url=ADMIN_LOGIN)[0]


def test_admin_login_was_open_to_guessing_before(client, db, clock, policy):
    """The finding: 20 wrong passwords on /admin/login/, then in. Now the 6th attempt is refused."""
    f.user("root", superuser=True)
    fail(client, "root", 20, url=ADMIN_LOGIN)
    assert LoginFailure.objects.filter(username="root").count() == 5  # attempts 6 to 20 were refused unchecked
    assert not attempt(client, "root", PASSWORD, url=ADMIN_LOGIN)[0]


def test_default_policy():
    from jiceng import settings as production

    assert (production.LOGIN_MAX_FAILURES, production.LOGIN_ADDRESS_MAX_FAILURES) == (5, 20)
    assert (production.LOGIN_BACKOFF_SECONDS, production.LOGIN_BACKOFF_MAX_SECONDS) == (30, 900)
    policy = services.LoginPolicy(5, 20, 30, 900, 86400)
    assert [policy.lock_seconds(n, 5) for n in range(3, 12)] == [0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert policy.lock_seconds(10_000, 5) == 900


def test_login_page_still_works(client, db):
    f.user("ok_user")
    r = client.post(reverse("accounts:login"), {"username": "ok_user", "password": PASSWORD})
    assert r.status_code == 302


def test_the_lock_message_is_translated(client, clock, policy, victim):
    fail(client, "victim", 5)
    client.cookies["django_language"] = "en"
    response = client.post(LOGIN, {"username": "victim", "password": PASSWORD}, REMOTE_ADDR=A)
    assert response.status_code == 200 and "Please try again in 30 seconds." in response.content.decode()

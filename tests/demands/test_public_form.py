"""The public form's timing check counts from the first render: a validation error never makes the corrected
resubmission "too fast"; the page after submitting shows the tracking code, the link to keep and a contact."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from jiceng.demands import intake
from jiceng.demands.models import Demand
from jiceng.places.models import PlaceKind
from tests import factories as f

NOW = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)
URL = reverse("demands:public_submit")


def posted(place, token, **extra):
    return {"text": "楼里电梯经常停运,希望尽快检修", "place": place.pk, "requester_name": "李女士",
            "requester_phone": "13912345678", "website": "", "form_token": token, **extra}


def token_in(response) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


# --- the token ------------------------------------------------------------------------------------------------
def test_retry_keeps_a_genuine_token_so_the_clock_runs_from_the_first_render():
    with time_machine.travel(NOW, tick=False):
        token = intake.form_token()
    with time_machine.travel(NOW + dt.timedelta(seconds=1), tick=False):
        assert intake.token_for_retry(token) == token
        assert intake.spam_reason(token, "") == "too_fast"
    with time_machine.travel(NOW + dt.timedelta(seconds=intake.MIN_SECONDS), tick=False):
        assert intake.spam_reason(intake.token_for_retry(token), "") is None


def test_retry_renews_an_expired_token_without_a_new_wait():
    with time_machine.travel(NOW, tick=False):
        token = intake.form_token()
    with time_machine.travel(NOW + dt.timedelta(seconds=intake.MAX_SECONDS + 60), tick=False):
        assert intake.spam_reason(token, "") == "token"
        renewed = intake.token_for_retry(token)
        assert renewed != token and intake.spam_reason(renewed, "") is None


def test_retry_gives_a_forged_token_a_fresh_one_whose_wait_starts_now():
    with time_machine.travel(NOW, tick=False):
        fresh = intake.token_for_retry("forged")
        assert intake.spam_reason(fresh, "") == "too_fast"
        assert intake.spam_reason(fresh, "filled") == "honeypot"
    with time_machine.travel(NOW + dt.timedelta(seconds=intake.MIN_SECONDS), tick=False):
        assert intake.spam_reason(fresh, "") is None


# --- the form ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_fixing_an_error_and_resubmitting_at_once_is_not_too_fast(client, tree):
    building = tree["building1"]
    with time_machine.travel(NOW, tick=False):
        token = token_in(client.get(URL))
    # The person typed for ten seconds, but the phone number has a digit missing.
    with time_machine.travel(NOW + dt.timedelta(seconds=10), tick=False):
        r = client.post(URL, posted(building, token, requester_phone="1391234567"))
        assert r.status_code == 200 and not Demand.objects.exists()
        page = r.content.decode()
        assert "提交过快" not in page and "稍等" not in page
        assert token_in(r) == token  # the clock was not restarted
    # Fixed and resubmitted half a second after the error page came back.
    with time_machine.travel(NOW + dt.timedelta(seconds=10.5), tick=False):
        r = client.post(URL, posted(building, token_in(r)))
    demand = Demand.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/demands/track/{demand.tracking_code}/?new=1"


@pytest.mark.django_db
def test_a_form_posted_faster_than_a_person_types_is_still_refused(client, tree):
    with time_machine.travel(NOW, tick=False):
        token = token_in(client.get(URL))
        r = client.post(URL, posted(tree["building1"], token))
    assert r.status_code == 200 and not Demand.objects.exists()
    assert "请稍等几秒" in r.content.decode() and token_in(r) == token
    # An error round trip does not buy a bot a younger or older token: the wait still counts from the fetch.
    with time_machine.travel(NOW + dt.timedelta(seconds=1), tick=False):
        r = client.post(URL, posted(tree["building1"], token_in(r), text=""))
        r = client.post(URL, posted(tree["building1"], token_in(r)))
    assert r.status_code == 200 and not Demand.objects.exists()
    with time_machine.travel(NOW + dt.timedelta(seconds=intake.MIN_SECONDS), tick=False):
        assert client.post(URL, posted(tree["building1"], token_in(r))).status_code == 302


@pytest.mark.django_db
def test_honeypot_and_forged_token_are_refused_with_the_old_message(client, tree):
    with time_machine.travel(NOW, tick=False):
        token = intake.form_token()
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        r = client.post(URL, posted(tree["building1"], token, website="http://spam"))
        assert "提交过快或表单已过期" in r.content.decode()
        r = client.post(URL, posted(tree["building1"], "forged"))
        assert "提交过快或表单已过期" in r.content.decode()
    assert not Demand.objects.exists()


# --- the page after submitting ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_success_page_shows_code_link_copy_button_and_the_station(client, tree):
    station = f.place("创智天地党群服务站", PlaceKind.STATION, tree["park1"], address="淞沪路 100 号")
    f.place("殷行党群服务站", PlaceKind.STATION, tree["park2"])  # another street's: never shown
    with time_machine.travel(NOW, tick=False):
        token = intake.form_token()
    with time_machine.travel(NOW + dt.timedelta(seconds=20), tick=False):
        r = client.post(URL, posted(tree["building1"], token), follow=True)
    demand = Demand.objects.get()
    page = r.content.decode()
    assert 'data-testid="submitted"' in page and "提交成功" in page
    assert f'id="tracking-code">{demand.tracking_code}<' in page
    assert 'data-copy-target="tracking-code"' in page
    assert f"http://testserver/demands/track/{demand.tracking_code}/" in page
    assert station.name in page and "淞沪路 100 号" in page and "殷行党群服务站" not in page
    assert tree["street1"].name in page
    # The requester's own phone is never echoed on the public page.
    assert "13912345678" not in page


@pytest.mark.django_db
def test_tracking_page_later_has_no_success_banner(client, tree):
    from jiceng.demands import workflow

    demand = workflow.submit(text="门禁卡坏了需要补办", place=tree["building2"])
    page = client.get(reverse("demands:track", args=[demand.tracking_code])).content.decode()
    assert 'data-testid="submitted"' not in page and demand.tracking_code in page
    assert 'data-testid="contact"' in page and tree["street2"].name in page


def test_tokens_are_not_affected_by_the_wall_clock_of_the_test_run():
    # A token issued "now" is too fast right away and fine MIN_SECONDS later, whatever today is.
    token = intake.form_token()
    later = timezone.now() + dt.timedelta(seconds=intake.MIN_SECONDS + 1)
    assert intake.spam_reason(token, "") == "too_fast" and intake.spam_reason(token, "", now=later) is None

"""The client's address behind the reverse proxy: proxy headers count only when the proxy is trusted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from jiceng.accounts.models import AuditEvent
from jiceng.core import audit
from jiceng.core.network import client_ip, parse_networks
from jiceng.demands import intake
from tests import factories as f

PROXY = "127.0.0.1"


def request_from(peer: str, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16"]


def test_without_trusted_proxies_headers_are_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_X_REAL_IP="203.0.113.8")) == PROXY


def test_spoofed_header_from_an_untrusted_peer_is_ignored(behind_nginx):
    # A client talking to the application directly cannot choose its address.
    request = request_from("198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_X_REAL_IP="203.0.113.8")
    assert client_ip(request) == "198.51.100.20"


def test_trusted_proxy_forwarded_for(behind_nginx):
    assert client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")) == "203.0.113.7"
    # Through two trusted hops (a load balancer in 10.1/16, then nginx).
    assert client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7, 10.1.2.3")) == "203.0.113.7"
    # nginx appends the real peer to what the client sent: the client's own left-hand entries are not believed.
    assert client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR="not-an-ip, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR="2001:db8::5")) == "2001:db8::5"
    assert client_ip(request_from("::ffff:127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")) == "203.0.113.7"


def test_trusted_proxy_real_ip_and_fallbacks(behind_nginx):
    assert client_ip(request_from(PROXY, HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"
    assert client_ip(request_from(PROXY)) == PROXY  # a request the proxy made itself (a health check)
    assert client_ip(request_from(PROXY, HTTP_X_FORWARDED_FOR="garbage")) == PROXY
    assert client_ip(None) is None


def test_bad_trusted_proxy_entry_is_named():
    with pytest.raises(ValueError, match="nginx"):
        parse_networks(["127.0.0.1", "nginx"])


def test_audit_uses_the_same_helper(behind_nginx, db):
    assert audit.client_ip is client_ip
    request = request_from(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    request.user = AnonymousUser()
    event = audit.record(request, "export", object_type="x")
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "203.0.113.7"


def post_public_form(client, place, forwarded_for: str):
    data = {"text": "楼里电梯经常停运,希望尽快检修", "place": place.pk, "requester_name": "李女士",
            "requester_phone": "13912345678", "website": "", "form_token": intake.form_token()}
    return client.post(reverse("demands:public_submit"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.fixture
def building(db, monkeypatch):
    monkeypatch.setattr(intake, "MIN_SECONDS", -1)  # the form counts as filled in long ago
    return f.district_tree()["building1"]


def test_public_form_limit_is_per_citizen_behind_a_trusted_proxy(client, building, behind_nginx):
    for _ in range(intake.MAX_PER_WINDOW):
        assert post_public_form(client, building, "203.0.113.7").status_code == 302
    assert post_public_form(client, building, "203.0.113.7").status_code == 429
    # Another citizen behind the same proxy is not affected.
    assert post_public_form(client, building, "203.0.113.8").status_code == 302


def test_public_form_limit_ignores_forged_headers_from_untrusted_peers(client, building, settings):
    settings.TRUSTED_PROXIES = []
    for n in range(intake.MAX_PER_WINDOW):
        assert post_public_form(client, building, f"203.0.113.{n}").status_code == 302
    # A fresh X-Forwarded-For on every request does not buy a fresh limit.
    assert post_public_form(client, building, "203.0.113.99").status_code == 429


def test_drf_throttles_identify_clients_the_same_way(behind_nginx):
    from rest_framework.throttling import AnonRateThrottle

    from jiceng.core.drf import ClientAddressThrottleMixin

    class Throttle(ClientAddressThrottleMixin, AnonRateThrottle):
        rate = "5/min"

    assert Throttle().get_ident(request_from(PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")) == "203.0.113.7"
    assert Throttle().get_ident(request_from("198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.7")) == "198.51.100.20"

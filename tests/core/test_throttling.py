"""Write throttles on the REST API (core/throttling.py): per user, per address when not logged in, 429 with
Retry-After, reads untouched, documented in the OpenAPI schema. The clock is moved, never slept on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.core import throttling
from jiceng.demands.models import Demand
from tests import factories as f


@pytest.fixture
def limits(settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"user_write": "3/min", "anon_write": "2/min"}}
    caches["throttle"].clear()
    now = [1_900_000_000.0]
    monkeypatch.setattr(throttling, "clock", lambda: now[0])
    yield now
    caches["throttle"].clear()


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def demand(api, tree):
    return api.post("/api/demands/", {"text": "楼道灯坏了,请维修", "place": tree["building1"].pk}, format="json")


def test_writes_are_limited_per_user_with_retry_after(tree, limits):
    staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
    api = api_for(staff)
    for _ in range(3):
        assert demand(api, tree).status_code == 201
    limits[0] += 15
    refused = demand(api, tree)
    assert refused.status_code == 429 and refused["Retry-After"] == "45"
    assert "detail" in refused.json()
    assert Demand.objects.count() == 3
    # Reads are not limited; another user has their own count.
    assert api.get("/api/demands/").status_code == 200
    assert demand(api_for(f.user("staff2", Role.STREET_STAFF, tree["street1"])), tree).status_code == 201
    limits[0] += 44
    assert demand(api, tree).status_code == 429  # one second short of the window
    limits[0] += 1
    assert demand(api, tree).status_code == 201


def test_refused_and_invalid_writes_count_too(tree, limits):
    """A flood of bad requests is still a flood: validation errors use up the allowance like good writes."""
    api = api_for(f.user("staff", Role.STREET_STAFF, tree["street1"]))
    for _ in range(3):
        assert api.post("/api/demands/", {"text": ""}, format="json").status_code == 400
    assert demand(api, tree).status_code == 429


def test_every_write_method_is_limited(tree, limits):
    staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
    api = api_for(staff)
    created = demand(api, tree).json()["id"]
    assert api.patch(f"/api/demands/{created}/", {}, format="json").status_code != 429
    assert api.delete(f"/api/demands/{created}/").status_code != 429
    assert api.put(f"/api/demands/{created}/", {}, format="json").status_code == 429


def test_anonymous_writes_are_counted_per_address(limits):
    anonymous = AnonymousUser()
    assert throttling.check_write(anonymous, "10.0.0.1") is None
    assert throttling.check_write(anonymous, "10.0.0.1") is None
    assert throttling.check_write(anonymous, "10.0.0.1") == 60
    assert throttling.check_write(anonymous, "10.0.0.2") is None  # another address


def test_rates_parse():
    assert throttling.parse_rate("60/min") == (60, 60)
    assert throttling.parse_rate("20/minute") == (20, 60)
    assert throttling.parse_rate("5/s") == (5, 1)
    assert throttling.parse_rate("1000/day") == (1000, 86400)


def test_production_settings_apply_the_throttle():
    from jiceng import settings as production

    assert production.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["jiceng.core.throttling.WriteThrottle"]
    assert production.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"user_write": "60/min", "anon_write": "20/min"}
    assert production.CACHES["throttle"]["BACKEND"].endswith("FileBasedCache")  # shared by gunicorn's workers


def test_the_schema_documents_429_on_writes(client, db):
    schema = client.get("/api/schema/?format=json").json()
    writes = reads = 0
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            if method in {"post", "put", "patch", "delete"}:
                writes += 1
                response = operation["responses"]["429"]
                assert "Retry-After" in response["headers"]
            elif method == "get":
                reads += 1
                assert "429" not in operation["responses"]
    assert writes > 50 and reads > 50

"""The API answers what its OpenAPI schema says, for every operation: schemathesis, in-process.

Every operation of `/api/schema/` is called with generated input (schemathesis' examples and fuzzing phases,
positive and negative data) as the superuser and as a street officer, on the demo data, through the WSGI app
(no server). Each answer must pass schemathesis' response checks:

- `not_a_server_error`: never a 500;
- `status_code_conformance`: the status is one the operation documents;
- `content_type_conformance`: the content type is the documented one (JSON, also for a 404 of a URL no route
  matches);
- `response_schema_conformance`: the body validates against the documented schema. The test closes every object
  schema (`additionalProperties: false` where the schema leaves it open), so a field the API returns but does
  not document fails too.

Bounded for CI: `JICENG_API_FUZZ_EXAMPLES` cases per operation and user (default 8), a fixed seed (derandomized,
so a run is reproducible); the numbers of the last full measured run are in benchmarks/results/api-fuzz.md. Set
`JICENG_API_FUZZ_EXAMPLES=100` (and `JICENG_API_FUZZ_COVERAGE=1` for schemathesis' coverage phase, ~650 boundary
cases per operation) to search deeper.
"""

from __future__ import annotations

import copy
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("JICENG_API_FUZZ_EXAMPLES", "8"))
PHASES = ["examples", "fuzzing", *(["coverage"] if os.environ.get("JICENG_API_FUZZ_COVERAGE") else [])]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
USERS = ["admin", "street_staff"]  # the superuser (every write reaches the model rules) and a scoped officer


def closed(node):
    """The schema with every object that lists its properties closed to others (a copy)."""
    if isinstance(node, dict):
        node = {key: closed(value) for key, value in node.items()}
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        return node
    if isinstance(node, list):
        return [closed(value) for value in node]
    return node


RAW_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(closed(copy.deepcopy(RAW_SCHEMA)))
schema.config.phases.update(phases=PHASES)
APP = get_wsgi_application()


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The demo district, loaded once for the module in a transaction rolled back at its end."""
    from jiceng.accounts.services import token_for
    from jiceng.operations.demo import load_demo

    # Like Django's test client: the handler must not close the connection at the start and end of each request,
    # which on PostgreSQL would close it inside the test's transaction (SQLite's in-memory database ignores it).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            load_demo()
            yield {name: token_for(name) for name in USERS}
            transaction.set_rollback(True)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture(params=USERS)
def token(request, tokens, db):
    return tokens[request.param]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_responses_match_the_schema(case, token):
    cache.clear()  # throttles count in the cache: the generated calls are not a client's real rate
    case.call_and_validate(app=APP, headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def test_schema_generates_without_warnings_and_validates(tmp_path):
    """`spectacular --validate --fail-on-warn`: the schema is valid OpenAPI 3 and every view is described
    without guesswork (a warning means a field or response drf-spectacular could not type)."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").stat().st_size > 0


def test_every_operation_documents_its_errors():
    """The error answers the fuzzing relies on are in the published schema (not only in this test's copy)."""
    operations = [(path, method, op) for path, item in RAW_SCHEMA["paths"].items() for method, op in item.items()]
    assert len(operations) > 150
    for path, method, op in operations:
        codes = set(op["responses"])
        assert {"401", "403"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method in ("post", "put", "patch"):
            assert "400" in codes, (method, path)


def test_the_shapes_clients_reported():
    """The mismatches third-party clients met, one by one (the fuzzing finds them too, this names them)."""
    paths, components = RAW_SCHEMA["paths"], RAW_SCHEMA["components"]["schemas"]

    def ok_body(path):
        return paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert ok_body("/api/pioneer/pioneers/") == {"$ref": "#/components/schemas/Selection"}
    assert components["Selection"]["properties"]["results"]["type"] == "array"
    assert ok_body("/api/pioneer/weights/")["type"] == "array"
    assert "404" in paths["/api/me/"]["get"]["responses"]
    assert "404" in paths["/api/dues/arrears/"]["get"]["responses"]
    for component, field in [("Demand", "category"), ("Booking", "cancelled_by"), ("Booking", "decided_by")]:
        assert components[component]["properties"][field].get("nullable"), (component, field)
    assert components["Room"]["properties"]["opens_at"]["format"] == "partial-time"


@pytest.mark.django_db
def test_an_unknown_api_address_answers_json(client):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]


def test_a_bare_validation_message_answers_an_object():
    from rest_framework.exceptions import ValidationError

    from jiceng.core.drf import exception_handler

    response = exception_handler(ValidationError("整体错误"), {})
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["整体错误"]}


@pytest.mark.django_db
def test_a_speaker_id_beyond_the_database_is_404_not_400(client, django_user_model):
    """Found by the coverage phase: an id past 2**63 overflowed in the query and answered 400."""
    client.force_login(django_user_model.objects.create_user("u", password="x"))
    response = client.get(f"/api/activities/speakers/{2**72}/")
    assert response.status_code == 404
    assert client.get("/api/activities/speakers/1/").status_code == 404

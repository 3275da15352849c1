"""Claims in both directions, the project lifecycle, bad input and concurrency."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from jiceng.matching import services
from jiceng.matching.models import ListStatus, Need, Project, ProjectStatus, Resource
from tests.matching.conftest import make_need, make_resource

pytestmark = pytest.mark.django_db
NIGHT = (dt.time(19, 0), dt.time(7, 0))


def test_unit_claims_need_and_project_runs_to_evaluation(lists):
    need = make_need(lists["conf"], lists["staff"], quantity=20, daily=NIGHT)
    resource = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], capacity=40, daily=NIGHT)
    project = services.claim_need(need, unit=lists["unit_a"], quantity=20, by=lists["contact_a"], resource=resource)
    need.refresh_from_db()
    resource.refresh_from_db()
    assert (need.claimed, need.status, need.remaining) == (20, ListStatus.FULL, 0)
    assert (resource.claimed, resource.remaining, resource.status) == (20, 20, ListStatus.OPEN)
    assert project.status == ProjectStatus.PROPOSED and project.provider == lists["unit_a"]

    # The requester side agrees, the provider runs it, the requester evaluates.
    with pytest.raises(PermissionDenied):
        services.advance(project, "agree", by=lists["contact_a"])
    project = services.advance(project, "agree", by=lists["staff"])
    with pytest.raises(PermissionDenied):
        services.advance(project, "start", by=lists["contact_b"])
    project = services.advance(project, "start", by=lists["contact_a"])
    project = services.advance(project, "complete", by=lists["contact_a"])
    with pytest.raises(ValidationError) as exc:
        services.advance(project, "evaluate", by=lists["staff"], rating=6)
    assert "rating" in exc.value.message_dict
    project = services.advance(project, "evaluate", by=lists["staff"], rating=5, outcome="20 个车位已启用")
    assert project.status == ProjectStatus.EVALUATED and project.rating == 5
    assert project.agreed_at <= project.started_at <= project.completed_at <= project.evaluated_at
    assert [h.status for h in project.history.order_by("history_date")] == [
        "proposed", "agreed", "in_progress", "completed", "evaluated"]
    # A finished project cannot move again.
    with pytest.raises(ValidationError):
        services.advance(project, "cancel", by=lists["staff"])


def test_partial_claims_split_a_need_and_cancel_gives_quantity_back(lists):
    need = make_need(lists["conf"], lists["staff"], quantity=10)
    first = services.claim_need(need, unit=lists["unit_a"], quantity=6, by=lists["contact_a"])
    with pytest.raises(ValidationError) as exc:
        services.claim_need(need, unit=lists["unit_b"], quantity=5, by=lists["contact_b"])
    assert "quantity" in exc.value.message_dict and "4" in exc.value.message_dict["quantity"][0]
    services.claim_need(need, unit=lists["unit_b"], quantity=4, by=lists["contact_b"])
    need.refresh_from_db()
    assert need.status == ListStatus.FULL
    services.advance(first, "cancel", by=lists["contact_a"])
    need.refresh_from_db()
    assert (need.claimed, need.status) == (4, ListStatus.OPEN)


def test_claim_on_closed_need_and_bad_quantities(lists):
    need = make_need(lists["conf"], lists["staff"], quantity=5)
    for bad in (0, -1, "3", None, True):
        with pytest.raises(ValidationError) as exc:
            services.claim_need(need, unit=lists["unit_a"], quantity=bad, by=lists["contact_a"])
        assert "quantity" in exc.value.message_dict
    services.close_item(need, by=lists["staff"])
    with pytest.raises(ValidationError) as exc:
        services.claim_need(need, unit=lists["unit_a"], quantity=1, by=lists["contact_a"])
    assert "need" in exc.value.message_dict
    assert not Project.objects.exists()


def test_claim_beyond_resource_capacity_writes_nothing(lists):
    need = make_need(lists["conf"], lists["staff"], quantity=20)
    resource = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], capacity=5)
    with pytest.raises(ValidationError) as exc:
        services.claim_need(need, unit=lists["unit_a"], quantity=6, by=lists["contact_a"], resource=resource)
    assert "quantity" in exc.value.message_dict
    need.refresh_from_db()
    resource.refresh_from_db()
    assert need.claimed == 0 and resource.claimed == 0 and not Project.objects.exists()


def test_resource_must_fit_the_need(lists):
    need = make_need(lists["conf"], lists["staff"], quantity=2)
    far = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], radius=100)
    with pytest.raises(ValidationError) as exc:
        services.claim_need(need, unit=lists["unit_a"], quantity=1, by=lists["contact_a"], resource=far)
    assert "resource" in exc.value.message_dict
    daytime = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], daily=(dt.time(8), dt.time(18)))
    night_need = make_need(lists["conf"], lists["staff"], quantity=2, daily=NIGHT)
    with pytest.raises(ValidationError):
        services.claim_need(night_need, unit=lists["unit_a"], quantity=1, by=lists["contact_a"], resource=daytime)
    other_units = make_resource(lists["conf"], lists["unit_b"], lists["contact_b"])
    with pytest.raises(ValidationError) as exc:
        services.claim_need(need, unit=lists["unit_a"], quantity=1, by=lists["contact_a"], resource=other_units)
    assert "resource" in exc.value.message_dict


def test_unit_contact_acts_for_own_unit_only(lists):
    need = make_need(lists["conf"], lists["staff"])
    with pytest.raises(PermissionDenied):
        services.claim_need(need, unit=lists["unit_b"], quantity=1, by=lists["contact_a"])
    with pytest.raises(PermissionDenied):
        make_resource(lists["conf"], lists["unit_b"], lists["contact_a"])
    # A unit of another conference cannot claim here.
    with pytest.raises(ValidationError):
        services.claim_need(need, unit=lists["unit_c"], quantity=1, by=lists["contact_c"])


def test_community_claims_a_resource_with_a_new_need(lists):
    resource = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], capacity=10)
    project = services.claim_resource_with_new_need(resource, by=lists["staff"], quantity=4,
                                                    requester_name="政通路居民区", note="周末停车")
    resource.refresh_from_db()
    assert resource.claimed == 4 and project.claim_kind == "resource"
    project.need.refresh_from_db()
    assert project.need.requester_name == "政通路居民区" and project.need.status == ListStatus.FULL
    with pytest.raises(ValidationError):
        services.claim_resource_with_new_need(resource, by=lists["staff"], quantity=7, requester_name="另一居民区")
    # Nothing half-written: the refused claim left no need behind.
    assert Need.objects.filter(requester_name="另一居民区").count() == 0


def test_list_item_validation_names_the_field(lists):
    start = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    bad = Resource(conference=lists["conf"], unit=lists["unit_a"], title="x", category="venue", capacity=0,
                   start=start, end=start - dt.timedelta(hours=1), lat=91, lng=200, radius_m=0)
    with pytest.raises(ValidationError) as exc:
        services.save_resource(bad, by=lists["contact_a"])
    assert {"capacity", "end", "lat", "lng", "radius_m"} <= set(exc.value.message_dict)
    need = Need(conference=lists["conf"], requester_name="x", title="x", category="nope", quantity=0, start=start,
                end=start, lat=0, lng=0, daily_start=dt.time(19))
    with pytest.raises(ValidationError) as exc:
        services.save_need(need, by=lists["staff"])
    assert {"category", "quantity", "end", "daily_end"} <= set(exc.value.message_dict)


def test_promote_demand_to_need(lists):
    from jiceng.demands.models import Category, Demand

    demand = Demand.objects.create(text="小区晚上停车太难了,希望周边单位开放车位", place=lists["tree"]["building1"],
                                   requester_name="刘女士", category=Category.objects.get(code="parking_traffic"))
    need = services.need_from_demand(demand, lists["conf"])
    assert need.category == "parking" and need.demand == demand and need.requester_name == "刘女士"
    need.lat, need.lng = 31.3, 121.5
    services.save_need(need, by=lists["staff"])
    assert demand.list_need == need


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_claims_exactly_one_wins(lists):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims are exercised on PostgreSQL")
    need = make_need(lists["conf"], lists["staff"], quantity=20)
    resource = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], capacity=25)
    contenders = [(lists["unit_a"], lists["contact_a"], resource), (lists["unit_b"], lists["contact_b"], None),
                  (lists["unit_street"], lists["staff"], None), (lists["unit_b"], lists["admin"], None)]
    barrier = threading.Barrier(len(contenders))
    outcomes: list[str] = []

    def attempt(unit, user, res):
        barrier.wait()
        try:
            services.claim_need(Need.objects.get(pk=need.pk), unit=unit, quantity=20, by=user, resource=res)
            outcomes.append("won")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=c) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "won"]
    need.refresh_from_db()
    assert need.claimed == 20 and Project.objects.filter(need=need).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_claims_never_exceed_resource_capacity(lists):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims are exercised on PostgreSQL")
    resource = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], capacity=10)
    needs = [make_need(lists["conf"], lists["staff"], quantity=4, title=f"需求{i}") for i in range(5)]
    barrier = threading.Barrier(len(needs))
    outcomes: list[str] = []

    def attempt(need):
        barrier.wait()
        try:
            services.claim_resource(Resource.objects.get(pk=resource.pk), need=Need.objects.get(pk=need.pk),
                                    quantity=4, by=lists["staff"])
            outcomes.append("won")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in needs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 2
    resource.refresh_from_db()
    assert resource.claimed == 8 and Project.objects.filter(resource=resource).count() == 2

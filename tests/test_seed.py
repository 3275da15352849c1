"""`jiceng seed` writes what save() would have written, valid and deterministic; `jiceng bench` runs on it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models, transaction

from jiceng.core.text import pinyin_keys
from jiceng.core.validators import validate_cn_mobile, validate_id_number, validate_uscc
from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member
from jiceng.operations.seeding import SCALES
from jiceng.organizations.models import CommitteeMember, Coverage, Organization
from jiceng.places.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed", scale="demo", seed=7, verbosity=0)


def _first_enterprises(n: int = 20) -> list[tuple[str, str]]:
    return list(Enterprise.objects.order_by("pk").values_list("name", "credit_code")[:n])


def test_demo_scale_sizes(seeded):
    scale = SCALES["demo"]
    assert Place.objects.filter(kind=PlaceKind.DISTRICT).count() == scale.districts
    assert Place.objects.filter(kind=PlaceKind.STREET).count() == scale.streets
    assert Place.objects.filter(kind__in=[PlaceKind.PARK, PlaceKind.COMMERCIAL_BUILDING, PlaceKind.MARKET,
                                          PlaceKind.COMMUNITY]).count() == scale.areas
    assert Place.objects.filter(kind=PlaceKind.BUILDING).exists()
    assert Enterprise.objects.count() == scale.enterprises
    assert Member.objects.count() == scale.members
    assert Organization.objects.filter(kind="committee").count() == scale.streets
    assert Organization.objects.filter(kind="joint_branch").exists()
    assert Organization.objects.filter(kind="branch").exists()
    covered = Coverage.objects.values("enterprise").distinct().count()
    assert 0.55 <= covered / scale.enterprises <= 0.85
    assert CommitteeMember.objects.exists()


def test_place_tree_fields_match_save(seeded):
    places = list(Place.objects.select_related("parent"))
    for place in places:
        expected = Place(pk=place.pk, kind=place.kind, parent=place.parent)
        expected.compute_tree_fields()
        assert (place.path, place.depth, place.district_id, place.street_id) == (
            expected.path, expected.depth, expected.district_id, expected.street_id), place
        place.full_clean()  # the kind may sit under its parent's kind; names unique under a parent


def test_enterprises_located_and_valid(seeded):
    codes = set()
    for ent in Enterprise.objects.select_related("place"):
        assert (ent.district_id, ent.street_id) == (ent.place.district_id, ent.place.street_id)
        assert ent.district_id is not None and ent.street_id is not None
        assert (ent.name_pinyin, ent.name_initials) == pinyin_keys(ent.name)
        validate_uscc(ent.credit_code)
        if ent.contact_phone:
            validate_cn_mobile(ent.contact_phone)
        ent.full_clean()
        codes.add(ent.credit_code)
    assert len(codes) == SCALES["demo"].enterprises


def test_enterprise_after_save_is_unchanged(seeded):
    """Saving a seeded row through the model changes none of the denormalized fields."""
    fields = ("district_id", "street_id", "name_pinyin", "name_initials")
    for ent in Enterprise.objects.order_by("pk")[:10]:
        before = tuple(getattr(ent, f) for f in fields)
        ent.save()
        ent.refresh_from_db()
        assert tuple(getattr(ent, f) for f in fields) == before


def test_organizations_paths_and_locations(seeded):
    for org in Organization.objects.select_related("place", "parent"):
        assert (org.district_id, org.street_id) == (org.place.district_id, org.place.street_id)
        expected = f"{org.parent.path if org.parent_id else '/'}{org.pk}/"
        assert org.path == expected
        org.full_clean()
    for coverage in Coverage.objects.select_related("organization", "enterprise"):
        coverage.full_clean()
        # A branch covers enterprises in its own street.
        assert coverage.organization.street_id == coverage.enterprise.street_id
    for seat in CommitteeMember.objects.select_related("organization", "member__organization"):
        seat.full_clean()


def test_members_valid(seeded):
    ids = set()
    for member in Member.objects.select_related("organization"):
        validate_id_number(member.id_number)
        if member.phone:
            validate_cn_mobile(member.phone)
        assert (member.name_pinyin, member.name_initials) == pinyin_keys(member.name)
        member.full_clean()  # birth date matches the ID number, joined at 18+, not in a party group
        ids.add(member.id_number)
    assert len(ids) == SCALES["demo"].members


def test_same_seed_same_data_and_new_rows_still_get_fresh_ids(db):
    with transaction.atomic():
        call_command("seed", scale="demo", seed=3, verbosity=0)
        first = _first_enterprises()
        transaction.set_rollback(True)
    with transaction.atomic():
        call_command("seed", scale="demo", seed=4, verbosity=0)
        other = _first_enterprises()
        transaction.set_rollback(True)
    call_command("seed", scale="demo", seed=3, verbosity=0)
    assert _first_enterprises() == first
    assert other != first
    # Primary keys were allocated by the seed; the database's own counters must have moved past them.
    top = Place.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert Place.objects.create(name="新建区", kind=PlaceKind.DISTRICT).pk > top


def test_refuses_a_second_run(seeded):
    with pytest.raises(CommandError, match="已有 200 个两新组织"):
        call_command("seed", scale="demo", verbosity=0)
    assert Enterprise.objects.count() == SCALES["demo"].enterprises


def test_seed_prints_stage_timings(db):
    out = io.StringIO()
    call_command("seed", "--scale", "demo", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "members" in text and "1,000" in text
    assert "demands" in text and "2,000" in text
    assert "attendance" in text and "6,700" in text
    assert "待对应应用" not in text  # every target of the contract is written: nothing pending


def test_bench_prints_table(seeded, tmp_path):
    out = io.StringIO()
    target = tmp_path / "result.md"
    call_command("bench", "--repeat", "1", "--output", str(target), stdout=out)
    text = out.getvalue()
    for name in ("coverage report (district)", "enterprise list by street (view queryset)",
                 "enterprise API list by street", "member list by street (view queryset)",
                 "dispatch board: filtered list (street)", "dispatch board: counts by status (street)"):
        assert name in text
    assert "ORM/service ms" in text and "raw SQL ms" in text and "ratio" in text
    markdown = target.read_text(encoding="utf-8")
    assert "| benchmark |" in markdown and "cores" in markdown


def test_bench_query_counts_are_bounded(seeded):
    from jiceng.operations.bench import run

    report = run(repeat=1)
    assert len(report.results) >= 4
    for result in report.results:
        # As many statements as the hand-written SQL (a page may add one for its chrome, and one more for the name of
        # the place its filter chose, shown in the filter's chooser): no N+1.
        extra = 2 if "page (HTML)" in result.name else 1
        assert 1 <= result.queries <= result.raw_queries + extra, result
        assert result.orm_ms > 0 and result.raw_ms > 0


def test_raw_baselines_answer_the_same_as_the_application(seeded):
    from jiceng.operations.bench import compare_answers, pick_targets

    district, street = pick_targets()
    assert compare_answers(district, street) == []


def test_bench_on_empty_database_says_what_to_do(db):
    with pytest.raises(CommandError, match="seed"):
        call_command("bench", "--repeat", "1", stdout=io.StringIO())


def test_departments_and_their_work(seeded):
    """Each district's default departments, and one demand in SHARE of those a street dispatches handed to a
    department of the demand's own district, in every state of the department's side."""
    from jiceng.demands.models import Demand
    from jiceng.departments.models import Department, DepartmentState
    from jiceng.departments.seeding import SHARE
    from jiceng.departments.services import BOARD_COUNTS, DEFAULT_DEPARTMENTS, board_counts

    districts = Place.objects.filter(kind=PlaceKind.DISTRICT)
    assert Department.objects.count() == districts.count() * len(DEFAULT_DEPARTMENTS)
    handed = Demand.objects.filter(department__isnull=False)
    assert not handed.exclude(department__district=models.F("district")).exists()
    eligible = Demand.objects.filter(status__in=("assigned", "accepted", "resolved", "closed")).count()
    assert abs(handed.count() - eligible / SHARE) <= eligible / SHARE * 0.2
    states = set(handed.values_list("department_state", "status").distinct())
    assert {(DepartmentState.PENDING, "assigned"), (DepartmentState.SIGNED, "assigned"),
            (DepartmentState.RETURNED, "accepted"), (DepartmentState.SIGNED, "resolved")} <= states
    assert all(board_counts(Demand.objects.all())[key] > 0 for key in BOARD_COUNTS)
    assert not handed.filter(department_state=DepartmentState.PENDING, sign_due__isnull=True).exists()
    assert not handed.filter(status="closed", callback_at__isnull=True).exists()

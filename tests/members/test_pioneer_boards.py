"""Reusing computed pioneer boards: reused while nothing changed, never after a recorded change, and not past
their time."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from jiceng.activities.models import ActivityStatus, Attendance
from jiceng.members import pioneer
from tests.members.test_pioneer import Q3, activity, attend, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def boards(settings):
    settings.JICENG = {**settings.JICENG, "PIONEER_BOARD_SECONDS": 300}
    pioneer.BOARDS.clear()
    yield pioneer.BOARDS
    pioneer.BOARDS.clear()


def board(world):  # noqa: F811
    members = pioneer.in_organization(pioneer.Member.objects.active(), world["branch"])
    return pioneer.scores(members, Q3.start, Q3.end)


def totals(rows) -> dict[str, str]:
    return {r.name: str(r.total) for r in rows}


def test_an_unchanged_board_is_reused_without_reading_the_scores_again(world, boards):  # noqa: F811
    attend(activity(world["branch"]), world["m1"])
    first = board(world)
    with CaptureQueriesContext(connection) as queries:
        again = board(world)
    assert again is first
    assert not any("activities_attendance\".\"member_id\"" in q["sql"] and "GROUP BY" in q["sql"]
                   for q in queries.captured_queries)
    assert len(queries.captured_queries) <= 3  # the weights and the two highest ids


def test_a_recorded_attendance_shows_at_once(world, boards):  # noqa: F811
    act = activity(world["branch"])
    attend(act, world["m1"])
    before = totals(board(world))
    attend(act, world["m2"])
    after = totals(board(world))
    assert after["李四"] != before["李四"]
    assert after == totals(pioneer._ranked(
        pioneer.in_organization(pioneer.Member.objects.active(), world["branch"]), Q3.start, Q3.end,
        pioneer.weights()))


def test_rows_inserted_in_bulk_show_at_once(world, boards):  # noqa: F811
    act = activity(world["branch"])
    before = totals(board(world))
    # bulk_create sends no signal: the highest attendance id is part of the key.
    Attendance.objects.bulk_create([Attendance(activity=act, member=world["m3"], checked_in_at=act.start,
                                                hours=2)])
    assert totals(board(world))["王五"] != before["王五"]


def test_a_cancelled_activity_counts_nothing_at_once(world, boards):  # noqa: F811
    act = activity(world["branch"])
    attend(act, world["m1"])
    assert totals(board(world))["张三"] != "0"
    act.status = ActivityStatus.CANCELLED
    act.save()
    assert totals(board(world))["张三"] == "0"


def test_a_board_is_not_reused_past_its_time(world, boards, monkeypatch):  # noqa: F811
    attend(activity(world["branch"]), world["m1"])
    first = board(world)
    from jiceng.core import reuse

    now = reuse.time.monotonic()
    monkeypatch.setattr(reuse.time, "monotonic", lambda: now + 301)
    assert board(world) is not first


@override_settings()
def test_boards_are_off_when_the_setting_is_zero(world, settings):  # noqa: F811
    settings.JICENG = {**settings.JICENG, "PIONEER_BOARD_SECONDS": 0}
    pioneer.BOARDS.clear()
    assert board(world) is not board(world)
    assert not pioneer.BOARDS.entries


def test_only_a_few_boards_are_kept(world, boards):  # noqa: F811
    for year in range(2001, 2001 + pioneer.BOARDS_KEPT + 4):
        period = pioneer.parse_period(str(year))
        pioneer.scores(pioneer.Member.objects.active(), period.start, period.end)
    assert len(boards.entries) == pioneer.BOARDS_KEPT

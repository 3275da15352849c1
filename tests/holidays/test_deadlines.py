"""Work goes on past the package's last year: the clock frozen in late 2026, early 2027 and mid-2028."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.activities import recurrence
from jiceng.activities.models import Activity, ActivityKind, Series
from jiceng.demands import workflow
from jiceng.demands.models import Category, DemandEvent
from jiceng.holidays import services
from jiceng.holidays.models import DeadlineRecomputation
from jiceng.risk import services as risk
from jiceng.risk.models import FollowUp

from .conftest import NOTICE_2027

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def frozen(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def world(tree):
    from jiceng.accounts.models import Role
    from tests import factories as f

    ent = f.enterprise(tree["building1"], "攀达科技")
    branch = f.organization(tree["building1"], "攀达科技党支部")
    return {"tree": tree, "ent": ent, "branch": branch,
            "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
            "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
            "category": Category.objects.create(code="slow", name="慢件", deadline_days=15)}


def _accept(world):
    demand = workflow.submit(text="办公室空调坏了,已经三天没人来修", place=world["tree"]["building1"],
                             requester_enterprise=world["ent"])
    return workflow.accept(demand, user=world["staff"], category=world["category"])


@pytest.mark.parametrize("today", [D(2026, 12, 20), D(2027, 1, 20), D(2028, 6, 1)])
def test_a_demand_is_accepted_with_a_provisional_due_date(world, today):
    with frozen(today):
        demand = _accept(world)
    assert demand.accepted_on == today and demand.due_date > today and demand.due_provisional
    assert demand.due_date.year in (today.year, today.year + 1)


@pytest.mark.parametrize("today", [D(2026, 12, 31), D(2027, 1, 20), D(2028, 6, 1)])
def test_a_follow_up_gets_a_due_date(world, today):
    with frozen(today):
        risk.record_signal(enterprise=world["ent"], type="registration_moved", observed_on=today)
        risk.record_signal(enterprise=world["ent"], type="intends_to_move", observed_on=today)
    follow_up = FollowUp.objects.get(enterprise=world["ent"], level=5)
    assert follow_up.due_date is not None and follow_up.due_date > today and follow_up.due_provisional


@pytest.mark.parametrize("today", [D(2026, 12, 20), D(2027, 1, 20)])
def test_a_monthly_series_into_the_next_year_is_created(world, today):
    with frozen(today):
        series = Series.objects.create(kind=ActivityKind.THEME_DAY, organization=world["branch"], title="主题党日",
                                       rrule="FREQ=MONTHLY;BYDAY=+1TH", start_date=today, count=6,
                                       start_time=dt.time(12, 0), end_time=dt.time(13, 30))
        occurrences = recurrence.series_occurrences(series)
        created = recurrence.generate(series, default=recurrence.Choice.MOVE)
    assert len(created) == 6 and Activity.objects.filter(series=series).count() == 6
    assert any(o.provisional for o in occurrences)


def test_importing_the_notice_recomputes_open_deadlines(world):
    with frozen(D(2027, 1, 20)):
        demand = _accept(world)
        done = workflow.accept(workflow.submit(text="楼道灯坏了很久没有人修理", place=world["tree"]["building1"]),
                               user=world["staff"], category=world["category"])
        workflow.reject(done, user=world["staff"], note="重复")  # closed items are left as they were
        risk.record_signal(enterprise=world["ent"], type="registration_moved", observed_on=D(2027, 1, 20))
        risk.record_signal(enterprise=world["ent"], type="intends_to_move", observed_on=D(2027, 1, 20))
        # 15 working days from Wed 20 January: the provisional 春节 (5 and 8–10 February off) gives 16 February;
        # the notice (5–13 February off, Sunday 31 January worked) gives 17 February.
        assert demand.due_date == D(2027, 2, 16) and demand.due_provisional
        saved = services.import_notice(NOTICE_2027, 2027, user=world["admin"])
    demand.refresh_from_db()
    assert demand.due_date == D(2027, 2, 17) and not demand.due_provisional
    event = DemandEvent.objects.get(demand=demand, action="deadline")
    assert "2027-02-16" in event.note and "2027-02-17" in event.note and event.actor == world["admin"]
    follow_up = FollowUp.objects.get(enterprise=world["ent"], level=5)
    assert not follow_up.due_provisional and follow_up.due_date == D(2027, 1, 21)
    assert DeadlineRecomputation.objects.filter(holiday_year=saved, object_type="demands.demand",
                                                object_id=demand.pk, new_due=D(2027, 2, 17)).exists()
    assert not DemandEvent.objects.filter(demand=done, action="deadline").exists()
    assert done.due_provisional  # rejected: not recomputed


def test_saving_bad_years_is_refused_and_nothing_is_saved(world):
    from jiceng.holidays.models import HolidayYear

    empty = services.Days(2027, {}, {})
    with pytest.raises(ValidationError) as exc:
        services.save_year(empty, user=world["admin"], publish=True)
    assert "没有任何放假日期" in exc.value.message_dict["days_off"][0]
    weekday_work = services.Days(2027, {D(2027, 1, 1): "元旦"}, {D(2027, 1, 6): "调休"})
    with pytest.raises(ValidationError) as exc:
        services.save_year(weekday_work, user=world["admin"])
    assert "周六或周日" in exc.value.message_dict["workdays"][0]
    outside = services.Days(2027, {D(2028, 1, 1): "元旦"}, {})
    with pytest.raises(ValidationError):
        services.save_year(outside, user=world["admin"])
    assert not HolidayYear.objects.exists()
    with pytest.raises(PermissionDenied):
        services.save_year(services.Days(2027, {D(2027, 1, 1): "元旦"}, {}), user=world["staff"])
    assert not HolidayYear.objects.exists()


def test_replacing_a_published_year_needs_confirmation_and_keeps_the_old_one(world):
    first = services.import_notice(NOTICE_2027, 2027, user=world["admin"])
    changed = NOTICE_2027.replace("五、端午节：6月9日（周三）放假1天，不调休。",
                                  "五、端午节：6月9日（周三）至11日（周五）放假调休，共3天。6月12日（周六）上班。")
    with pytest.raises(ValidationError) as exc:
        services.import_notice(changed, 2027, user=world["admin"])
    assert "已发布" in exc.value.message_dict["year"][0]
    services.import_notice(changed, 2027, user=world["admin"], replace=True)
    first.refresh_from_db()
    assert "2027-06-11" in first.days_summary
    old = first.history.order_by("history_date")[0]
    assert "2027-06-11" not in old.days_summary and "2027-06-09" in old.days_summary


@pytest.mark.parametrize(("today", "warned"), [(D(2026, 9, 30), False), (D(2026, 10, 1), True),
                                               (D(2026, 12, 20), True)])
def test_managers_are_warned_from_october(world, today, warned):
    from jiceng.accounts.models import Notification

    assert services.warn_managers(today) == (1 if warned else 0)
    assert Notification.objects.filter(user=world["admin"]).exists() == warned
    assert not Notification.objects.filter(user=world["staff"]).exists()
    assert services.warn_managers(today) == 0  # once per year


def test_no_warning_once_next_year_is_published(world):
    services.import_notice(NOTICE_2027, 2027, user=world["admin"])
    assert services.next_year_warning(D(2026, 11, 1)) is None
    assert services.next_year_warning(D(2027, 10, 1)) == 2028

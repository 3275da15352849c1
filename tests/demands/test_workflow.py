"""Every transition, allowed and refused; deadlines in working days; escalation; rating; duplicates."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.accounts.models import Notification
from jiceng.demands import workflow
from jiceng.demands.models import Category, Demand, DemandStatus
from jiceng.demands.workflow import TRANSITIONS

S = DemandStatus


def submit(world, text="办公室空调坏了,已经三天没人来修", **kw):
    return workflow.submit(text=text, place=world["tree"]["building1"], requester_enterprise=world["ent"], **kw)


def to_status(world, status):
    d = submit(world)
    if status == S.SUBMITTED:
        return d
    d = workflow.accept(d, user=world["staff"], today=dt.date(2026, 9, 14))
    if status == S.ACCEPTED:
        return d
    d = workflow.assign(d, user=world["staff"], assignee_user=world["worker"])
    if status == S.ASSIGNED:
        return d
    d = workflow.resolve(d, user=world["worker"], note="已联系物业修好")
    if status == S.RESOLVED:
        return d
    if status == S.CLOSED:
        return workflow.close(d, user=world["staff"])
    if status == S.REJECTED:
        return workflow.reject(submit(world, "无关广告"), user=world["staff"], note="广告")
    raise AssertionError(status)


def test_submit_suggests_a_category(world):
    d = submit(world)
    assert d.status == S.SUBMITTED and d.suggested_category.code == "property"
    assert d.events.get().action == "submit" and len(d.tracking_code) == 10


@pytest.mark.parametrize("text", ["", "   ", "修", "x" * 2001])
def test_bad_text_refused(world, text):
    with pytest.raises(ValidationError) as exc:
        submit(world, text)
    assert "text" in exc.value.message_dict
    assert not Demand.objects.exists()


ACTIONS = {
    "accept": lambda d, w: workflow.accept(d, user=w["staff"], today=dt.date(2026, 9, 14)),
    "assign": lambda d, w: workflow.assign(d, user=w["staff"], department="街道营商办"),
    "resolve": lambda d, w: workflow.resolve(d, user=w["staff"], note="已办"),
    "close": lambda d, w: workflow.close(d, user=w["staff"]),
    "reject": lambda d, w: workflow.reject(d, user=w["staff"], note="不属实"),
    "reopen": lambda d, w: workflow.reopen(d, user=w["staff"], note="未修好"),
}


@pytest.mark.parametrize("status", [S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.RESOLVED, S.CLOSED, S.REJECTED])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_allowed_or_refused(world, status, action):
    demand = to_status(world, status)
    allowed = status in TRANSITIONS[action].sources
    if allowed:
        result = ACTIONS[action](demand, world)
        assert result.status == TRANSITIONS[action].target
        assert result.events.last().action == action
    else:
        events = demand.events.count()
        with pytest.raises(ValidationError):
            ACTIONS[action](demand, world)
        demand.refresh_from_db()
        assert demand.status == status and demand.events.count() == events


def test_reasons_required(world):
    d = to_status(world, S.ASSIGNED)
    with pytest.raises(ValidationError) as exc:
        workflow.resolve(d, user=world["staff"], note=" ")
    assert "note" in exc.value.message_dict


def test_deadline_counts_working_days_across_national_day(world):
    property_cat = Category.objects.get(code="property")  # 3 working days
    d = workflow.accept(submit(world), user=world["staff"], category=property_cat, today=dt.date(2026, 9, 30))
    # 30 Sept + 3 working days: 1–7 Oct are the holiday; Thursday the 8th is the 1st, Friday the 9th the 2nd,
    # and Saturday the 10th, a make-up working day (调休), the 3rd.
    assert d.due_date == dt.date(2026, 10, 10)


def test_deadline_in_a_year_without_a_notice_is_provisional(world):
    # 2027 has no official schedule here: the demand is accepted on the provisional calendar, marked as such.
    d = workflow.accept(submit(world), user=world["staff"], today=dt.date(2026, 12, 30))
    assert d.status == S.ACCEPTED and d.due_date.year == 2027 and d.due_provisional
    assert not workflow.accept(submit(world, "楼道的灯坏了好几天了"), user=world["staff"],
                               today=dt.date(2026, 9, 30)).due_provisional


def test_assignment_notifies(world):
    d = to_status(world, S.ACCEPTED)
    workflow.assign(d, user=world["staff"], assignee_user=world["worker"])
    assert Notification.objects.filter(user=world["worker"], message__contains="新派单").count() == 1


def test_escalation_notifies_superiors_once(world):
    d = to_status(world, S.ASSIGNED)
    assert workflow.escalate_overdue(today=d.due_date) == 0
    assert workflow.escalate_overdue(today=d.due_date + dt.timedelta(days=1)) == 1
    assert workflow.escalate_overdue(today=d.due_date + dt.timedelta(days=2)) == 0
    d.refresh_from_db()
    assert d.escalated_at is not None and d.events.filter(action="escalate").count() == 1
    assert Notification.objects.filter(user=world["staff"], message__contains="督办").count() == 1
    assert not Notification.objects.filter(user=world["staff2"]).exists()


def test_rating_only_by_requester_once_in_range(world):
    d = workflow.submit(text="想了解人才公寓申请条件", place=world["tree"]["building1"], user=world["contact"])
    d = workflow.accept(d, user=world["staff"], today=dt.date(2026, 9, 14))
    d = workflow.assign(d, user=world["staff"], department="人才办")
    with pytest.raises(ValidationError):
        workflow.rate(d, rating=5, user=world["contact"])  # not resolved yet
    d = workflow.resolve(d, user=world["staff"], note="已解答")
    assert Notification.objects.filter(user=world["contact"], message__contains="已办结").exists()
    with pytest.raises(ValidationError):
        workflow.rate(d, rating=5, user=world["staff"])  # not the requester
    for bad in (0, 6, "x", None):
        with pytest.raises(ValidationError):
            workflow.rate(d, rating=bad, user=world["contact"])
    d = workflow.rate(d, rating=4, comment="很及时", user=world["contact"])
    assert d.status == S.CLOSED and d.rating == 4
    with pytest.raises(ValidationError):
        workflow.rate(d, rating=5, user=world["contact"])


def test_rating_with_tracking_code(world):
    d = to_status(world, S.RESOLVED)
    with pytest.raises(ValidationError):
        workflow.rate(d, rating=5, tracking_code="WRONGCODE1")
    assert workflow.rate(d, rating=5, tracking_code=d.tracking_code).rating == 5


def test_duplicates_suggested_and_merge(world):
    first = submit(world, "三楼男厕所水龙头一直漏水,请物业尽快维修")
    similar = workflow.likely_duplicates("三楼厕所水龙头漏水,请尽快维修", place=first.place,
                                         enterprise=world["ent"])
    assert similar == [first]
    assert workflow.likely_duplicates("想咨询高新技术企业认定政策", place=first.place, enterprise=world["ent"]) == []
    second = submit(world, "三楼厕所水龙头漏水,请尽快维修")
    merged = workflow.merge(second, into=first, user=world["staff"])
    assert merged.status == S.MERGED and merged.duplicate_of == first
    with pytest.raises(ValidationError):
        workflow.merge(first, into=first, user=world["staff"])


def test_retrain_from_staff_corrections(world, settings, tmp_path):
    import io

    from django.core.management import call_command

    from jiceng.demands import classifier

    settings.DEMANDS_CLASSIFIER_PATH = tmp_path / "classifier.joblib"  # keep the shared model file untouched
    text = "咨询一下楼下咖啡店的会员卡怎么办理"
    d = submit(world, text)
    assert d.suggested_category.code != "legal"
    workflow.accept(d, user=world["staff"], category=Category.objects.get(code="legal"), today=dt.date(2026, 9, 14))
    assert workflow.staff_corrections() == [(text, "legal")]
    out = io.StringIO()
    try:
        call_command("retrain_classifier", stdout=out)
        assert "1 staff corrections" in out.getvalue()
        model = classifier.load_default()
        assert model.info["corrections"] == 1
        assert model.predict([text])[0][0] in {c.code for c in Category.objects.all()}
    finally:
        classifier.reset_default()

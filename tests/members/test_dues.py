"""Dues: the rate table at each bracket edge, payments, arrears and summaries. Money is Decimal."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiceng.members import dues
from jiceng.members.models import DuesPayment
from tests import factories as f

D = dt.date
ON = D(2026, 1, 1)


@pytest.mark.parametrize(("category", "base", "expected"), [
    ("in_service", "0.00", "0.00"),
    ("in_service", "3000.00", "15.00"),
    ("in_service", "3000.01", "30.00"),
    ("in_service", "5000.00", "50.00"),
    ("in_service", "5000.01", "75.00"),
    ("in_service", "10000.00", "150.00"),
    ("in_service", "10000.01", "200.00"),
    ("in_service", "2999.99", "15.00"),
    ("retired", "5000.00", "25.00"),
    ("retired", "5000.01", "50.00"),
    ("student", "0", "0.20"),
    ("farmer", "0", "0.20"),
])
def test_rate_table_bracket_edges(db, category, base, expected):
    assert dues.quote(category, Decimal(base), ON).amount == Decimal(expected)


def test_farmer_may_declare_up_to_one_yuan(db):
    assert dues.quote("farmer", Decimal("0"), ON, Decimal("0.80")).amount == Decimal("0.80")


def test_no_table_before_2008(db):
    with pytest.raises(ValidationError):
        dues.quote("in_service", Decimal("100"), D(2007, 1, 1))


@pytest.fixture
def member(tree):
    return f.member(f.organization(tree["park1"]), join_date=D(2015, 7, 1))


@pytest.mark.parametrize("bad", ["-1", "abc", "12.345", "NaN", ""])
def test_bad_base_refused_naming_field(member, bad):
    with pytest.raises(ValidationError) as exc:
        dues.declare_base(member, category="in_service", base=bad, effective_month=D(2026, 1, 1))
    assert "base" in exc.value.message_dict


def test_new_base_applies_from_its_month(member):
    dues.declare_base(member, category="in_service", base="4000", effective_month=D(2026, 1, 15))
    dues.declare_base(member, category="in_service", base="12000", effective_month=D(2026, 3, 1))
    assert dues.amount_due(member, D(2026, 2, 1)) == Decimal("40.00")
    assert dues.amount_due(member, D(2026, 3, 1)) == Decimal("240.00")


def test_payment_defaults_to_amount_due_and_month_once(member):
    dues.declare_base(member, category="in_service", base="4000", effective_month=D(2026, 1, 1))
    p = dues.record_payment(member, month=D(2026, 1, 20), method="cash", paid_on=D(2026, 1, 20))
    assert p.amount == Decimal("40.00") and p.month == D(2026, 1, 1)
    with pytest.raises(ValidationError) as exc:
        dues.record_payment(member, month=D(2026, 1, 1), amount="40")
    assert "month" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        dues.record_payment(member, month=D(2026, 2, 1), amount="-5")
    assert "amount" in exc.value.message_dict
    assert DuesPayment.objects.count() == 1


def test_arrears_and_annual_summary(member):
    dues.declare_base(member, category="in_service", base="4000", effective_month=D(2026, 1, 1))
    dues.record_payment(member, month=D(2026, 1, 1), paid_on=D(2026, 1, 5))
    dues.record_payment(member, month=D(2026, 3, 1), paid_on=D(2026, 3, 5))
    (row,) = dues.arrears(member.__class__.objects.filter(pk=member.pk), up_to=D(2026, 4, 30))
    assert row.months == [D(2026, 2, 1), D(2026, 4, 1)] and row.amount == Decimal("80.00")
    (summary,) = dues.annual_summary(member.__class__.objects.all(), 2026)
    assert summary["months"] == 2 and summary["total"] == Decimal("80.00")


def test_farmer_declared_amount_out_of_range_refused(db):
    with pytest.raises(ValidationError) as exc:
        dues.quote("farmer", Decimal("0"), ON, Decimal("3.00"))
    assert "declared_amount" in exc.value.message_dict

"""Member affairs in a real browser: a secretary moves an applicant to activist, requests a transfer letter that
the committee above issues, and records a dues payment; the member sees the transfer and the payment on their own
page."""

import datetime as dt

import pytest

from jiceng.accounts.models import Role
from jiceng.members import dues
from jiceng.members.models import Application, DuesPayment, Transfer
from jiceng.members.pipeline import StepInput, create_application, record_step
from jiceng.organizations.models import OrgKind
from tests import factories as f
from tests.conftest import login, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data():
    tree = f.district_tree()
    committee = f.organization(tree["street1"], "五角场街道党工委", kind=OrgKind.COMMITTEE, transfer_authority=True)
    branch = f.organization(tree["park1"], "攀达科技党支部", parent=committee)
    f.user("org_dept", Role.STREET_STAFF, tree["street1"])
    other = f.organization(tree["park2"], "殷行园区党支部")
    zhang = f.member(branch, "张三", join_date=dt.date(2015, 7, 1))
    f.user("secretary", Role.ORG_SECRETARY, branch)
    f.user("zhangsan", Role.MEMBER, zhang)
    today = dt.date.today()
    birth = dt.date(1999, 4, 1)
    app = create_application(name="王小明", gender="M", birth_date=birth, id_number=f.id_number(birth=birth),
                             organization=branch, applied_on=today - dt.timedelta(days=10))
    record_step(app, StepInput("talk", today - dt.timedelta(days=5), people="支部书记"))
    dues.declare_base(zhang, category="in_service", base="6000", effective_month=today.replace(day=1))
    return {"branch": branch, "other": other, "zhang": zhang, "app": app}


def test_secretary_workflows_and_member_page(page, data):
    login(page, "secretary")

    # Applicant → activist.
    open_menu(page, "党员事务", "发展党员")
    page.get_by_role("link", name="王小明").click()
    page.get_by_role("link", name="确定为入党积极分子").click()
    with page.expect_navigation():
        page.get_by_test_id("step-form").get_by_role("button", name="记录").click()
    assert "已记录" in page.inner_text("body")
    assert Application.objects.get(pk=data["app"].pk).stage == "activist"

    # Transfer letter for 张三.
    page.goto(data["zhang"].get_absolute_url())
    page.get_by_test_id("issue-transfer").click()
    page.select_option("#id_to_organization", label="殷行园区党支部")
    with page.expect_navigation():
        page.click("button:has-text('保存')")
    transfer = Transfer.objects.get(member=data["zhang"])
    assert transfer.state == "requested" and "已申请" in page.inner_text("body")
    # The committee with transfer authority issues the letter.
    page.context.clear_cookies()
    login(page, "org_dept")
    page.goto(transfer.get_absolute_url())
    with page.expect_navigation():
        page.get_by_test_id("issue").click()
    transfer.refresh_from_db()
    assert transfer.letter_no and transfer.letter_no in page.inner_text("body")
    with page.expect_popup() as popup:
        page.get_by_test_id("print-letter").click()
    assert "组织关系介绍信" in popup.value.inner_text("body")
    page.context.clear_cookies()
    login(page, "secretary")

    # Dues payment (the amount due is filled in by the service: 6000 × 1.5% = 90.00).
    page.goto(data["zhang"].get_absolute_url())
    assert page.get_by_test_id("monthly-due").inner_text() == "¥90.00"
    with page.expect_navigation():
        page.get_by_test_id("payment-form").get_by_role("button", name="记录缴纳").click()
    assert "¥90.00" in page.get_by_test_id("payments").inner_text()
    assert DuesPayment.objects.get(member=data["zhang"]).amount == 90

    # The member sees both on their own page.
    page.context.clear_cookies()
    login(page, "zhangsan")
    page.get_by_role("link", name="我的").click()
    assert "殷行园区党支部" in page.get_by_test_id("my-transfers").inner_text()
    assert "已开具" in page.get_by_test_id("my-transfers").inner_text()
    assert "¥90.00" in page.get_by_test_id("my-dues").inner_text()
    assert data["zhang"].id_number not in page.inner_text("body")

"""The department user's workbench panel and the street's department board section."""

import datetime as dt

from django.urls import reverse

from jiceng.demands import workflow
from jiceng.workbench import services

from .conftest import accepted, handed


def sections(user, today):
    return {s.key: s for panel in services.workbench(user, today) for s in panel.sections}


def test_department_panel_lists_its_work_late_first(world, client):
    late = handed(world, day=dt.date(2026, 9, 14))  # sign by the 15th
    signed = workflow.sign(handed(world, text="楼道的灯坏了好几天了没人修", day=dt.date(2026, 9, 16)),
                           user=world["dept_user"])
    handed(world, world["market"], text="餐饮店招牌要换新,需要办理什么手续")  # another department's
    panels = services.workbench(world["dept_user"], dt.date(2026, 9, 17))
    assert [p.key for p in panels] == ["department"]
    s = sections(world["dept_user"], dt.date(2026, 9, 17))["department_work"]
    assert {f.key: f.value for f in s.figures} == {"pending": 1, "late": 1, "signed": 1}
    assert [r.url for r in s.rows] == [late.get_absolute_url(), signed.get_absolute_url()]
    assert s.rows[0].tone == services.DANGER
    client.force_login(world["dept_user"])
    assert client.get(reverse("home")).status_code == 200


def test_street_board_section_counts_and_links(world):
    d = handed(world)
    returned = handed(world, text="楼道的灯坏了好几天了没人修")
    workflow.return_to_street(returned, user=world["dept_user"], reason="不属于本部门")
    s = sections(world["staff"], dt.date(2026, 9, 14))["department_board"]
    assert {f.key: f.value for f in s.figures} == {"pending": 1, "returned": 1, "callback": 0}
    assert s.figures[1].url.endswith("?department_state=returned")
    assert d.pk
    assert sections(world["staff2"], dt.date(2026, 9, 14))["department_board"].is_empty


def test_board_counts_only_demands_handed_to_a_department(world, client):
    """Awaiting 回访 is a department's resolved work without a callback: a demand a person resolved is not on the
    board, in the workbench section or behind the list's filter."""
    by_person = workflow.assign(accepted(world, text="会议室投影仪坏了"), user=world["staff"],
                                assignee_user=world["staff"], today=dt.date(2026, 9, 14))
    workflow.resolve(by_person, user=world["staff"], note="已修好")
    by_department = workflow.sign(handed(world), user=world["dept_user"])
    workflow.resolve(by_department, user=world["dept_user"], note="政策已落实")
    s = sections(world["staff"], dt.date(2026, 9, 15))["department_board"]
    assert {f.key: f.value for f in s.figures} == {"pending": 0, "returned": 0, "callback": 1}
    client.force_login(world["staff"])
    listed = client.get(reverse("demands:demand_list") + "?department_state=callback").context["object_list"]
    assert [d.pk for d in listed] == [by_department.pk]
    assert [b[2] for b in client.get(reverse("demands:inbox")).context["department_board"]] == [0, 0, 1]

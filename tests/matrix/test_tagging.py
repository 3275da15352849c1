"""Tagging activities and projects with cells of the 3×3 matrix and 党建+ themes: the vocabulary, the forms, the
API, the lists' filters and bad input (issue 17)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jiceng.activities.models import Activity
from jiceng.matching.models import Project
from jiceng.matrix import tags
from tests.matrix.conftest import activity, api_for, at, project

pytestmark = pytest.mark.django_db

EO, ES, CO, UL = "employees:organize", "employees:serve", "creators:organize", "users:lead"


def test_vocabulary_is_three_by_three_and_three_themes():
    assert [c.code for c in tags.CELLS[:3]] == [EO, ES, "employees:lead"]
    assert len(tags.CELLS) == 9 and len({c.bit for c in tags.CELLS}) == 9
    assert tags.THEMES == ("service", "culture", "public_welfare")
    assert tags.cell_codes(tags.cells_mask([UL, EO])) == [EO, UL]  # the grid's order, whatever the input's
    assert tags.theme_labels(tags.themes_mask(["public_welfare", "service"])) == ["党建+服务", "党建+公益"]
    assert tags.select_mask("employees", None) == 0b111 and tags.select_mask(None, "organize") == 0b1001001
    assert tags.select_mask("users", "lead") == 1 << 8
    with pytest.raises(ValidationError):
        tags.cells_mask(["employees:dance"])
    with pytest.raises(ValidationError):
        tags.themes_mask(["sports"])


def form_data(act, **extra):
    data = {"title": act.title, "kind": act.kind, "organization": act.organization_id,
            "start": "2026-06-20T14:00", "end": "2026-06-20T16:00"}
    data.update(extra)
    return data


def test_activity_form_tags_and_history(client, world):
    act = activity(world["branch"], at(6, 20))
    client.force_login(world["secretary"])
    page = client.get(reverse("activities:activity_edit", args=[act.pk])).content.decode()
    assert 'data-testid="matrix-cells"' in page and page.count('name="cells"') == 9
    assert page.count('name="themes"') == 3
    r = client.post(reverse("activities:activity_edit", args=[act.pk]),
                    form_data(act, cells=[EO, UL], themes=["culture"]))
    assert r.status_code == 302
    act.refresh_from_db()
    assert tags.cell_codes(act.cells) == [EO, UL] and tags.theme_codes(act.themes) == ["culture"]
    detail = client.get(act.get_absolute_url()).content.decode()
    assert "员工·组织" in detail and "用户·引领" in detail and "党建+文化" in detail
    # The edit form shows what is stored, checked.
    page = client.get(reverse("activities:activity_edit", args=[act.pk])).content.decode()
    assert page.count(" checked") == 3
    # Unknown codes are refused under the field, nothing saved.
    r = client.post(reverse("activities:activity_edit", args=[act.pk]), form_data(act, cells=["employees:dance"]))
    assert r.status_code == 200 and 'data-field="cells"' in r.content.decode()
    act.refresh_from_db()
    assert tags.cell_codes(act.cells) == [EO, UL]
    # The change history reads in labels, not bits.
    from jiceng.core.views import history_rows

    changes = [change for row in history_rows(act) for change in row["changes"]]
    assert ("党建矩阵", "", "员工·组织、用户·引领") in changes and ("党建+主题", "", "党建+文化") in changes


def test_project_tags_on_the_project_page(client, world):
    p = project(world)
    client.force_login(world["staff"])
    url = reverse("matching:project_detail", args=[p.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="project-tags"' in page
    r = client.post(url, {"action": "tag", "cells": [ES], "themes": ["service", "public_welfare"]})
    assert r.status_code == 302
    p.refresh_from_db()
    assert tags.cell_codes(p.cells) == [ES] and tags.theme_codes(p.themes) == ["service", "public_welfare"]
    page = client.get(url).content.decode()
    assert "员工·服务" in page and "党建+公益" in page
    assert "标注党建矩阵" in page or "党建矩阵" in page  # the history row names the change
    r = client.post(url, {"action": "tag", "themes": ["sports"]})
    assert r.status_code == 200 and 'data-field="themes"' in r.content.decode()
    # A unit that is not a side of the project may see it? No: out of its scope it is 404; the other street 404.
    client.force_login(world["contact_b"])
    assert client.post(url, {"action": "tag", "cells": [EO]}).status_code in (403, 404)
    client.force_login(world["staff2"])
    assert client.post(url, {"action": "tag", "cells": [EO]}).status_code == 404
    p.refresh_from_db()
    assert tags.cell_codes(p.cells) == [ES]


def test_api_writes_and_reads_tags(world):
    api = api_for(world["secretary"])
    r = api.post("/api/activities/activities/", {
        "title": "创客训练营", "kind": "lecture", "organization": world["branch"].pk,
        "start": "2026-06-20T14:00:00+08:00", "end": "2026-06-20T17:00:00+08:00",
        "cells": ["creators:lead", CO], "themes": ["culture"]}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["cells"] == [CO, "creators:lead"] and r.json()["themes"] == ["culture"]
    pk = r.json()["id"]
    r = api.patch(f"/api/activities/activities/{pk}/", {"themes": ["culture", "service"]}, format="json")
    assert r.status_code == 200 and r.json()["themes"] == ["service", "culture"]
    assert r.json()["cells"] == [CO, "creators:lead"]  # untouched
    assert tags.theme_codes(Activity.objects.get(pk=pk).themes) == ["service", "culture"]

    p = project(world)
    staff = api_for(world["staff"])
    r = staff.patch(f"/api/lists/projects/{p.pk}/", {"cells": [ES], "themes": ["service"], "status": "completed"},
                    format="json")
    assert r.status_code == 200, r.content
    assert r.json()["cells"] == [ES] and r.json()["status"] == "proposed"  # only the tags are written
    assert api_for(world["contact_a"]).patch(f"/api/lists/projects/{p.pk}/", {"themes": []},
                                             format="json").status_code == 200  # the providing unit
    assert Project.objects.get(pk=p.pk).themes == 0
    assert api_for(world["contact_c"]).patch(f"/api/lists/projects/{p.pk}/", {"themes": ["service"]},
                                             format="json").status_code == 404  # another conference's unit
    assert staff.put(f"/api/lists/projects/{p.pk}/", {"cells": []}, format="json").status_code == 405


@pytest.mark.parametrize("body, field", [
    ({"cells": ["employees:dance"]}, "cells"),
    ({"cells": "employees:organize"}, "cells"),
    ({"cells": ["employees"]}, "cells"),
    ({"themes": ["sports"]}, "themes"),
    ({"themes": [1]}, "themes"),
    ({"themes": None}, "themes"),
])
def test_unknown_cell_or_theme_is_a_400_naming_the_field(world, body, field):
    act = activity(world["branch"], at(6, 20))
    r = api_for(world["secretary"]).patch(f"/api/activities/activities/{act.pk}/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.content
    p = project(world)
    r = api_for(world["staff"]).patch(f"/api/lists/projects/{p.pk}/", body, format="json")
    assert r.status_code == 400 and field in r.json(), r.content


@pytest.mark.parametrize("url, field", [
    ("/api/activities/activities/?target=bosses", "target"),
    ("/api/activities/activities/?goal=rule", "goal"),
    ("/api/activities/activities/?theme=sports", "theme"),
    ("/api/activities/activities/?year=abc", "year"),
    ("/api/lists/projects/?target=bosses", "target"),
    ("/api/lists/projects/?theme=%00", "theme"),
    ("/api/reports/matrix/?year=1800", "year"),
    ("/api/reports/matrix/?year=20x6", "year"),
    ("/api/reports/matrix/?place=abc", "place"),
    ("/api/reports/matrix/?place=99999999999999999999999", "place"),
])
def test_bad_filters_are_400_naming_the_field(world, url, field):
    r = api_for(world["staff"]).get(url)
    assert r.status_code == 400 and field in r.json(), (url, r.content)


def ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_filters_by_target_goal_and_theme(client, world):
    b = world["branch"]
    both = activity(b, at(3, 2), title="两格", cells=tags.cells_mask([ES, CO]), themes=tags.themes_mask(["service"]))
    eo = activity(b, at(3, 3), title="员工组织", cells=tags.cells_mask([EO]), themes=tags.themes_mask(["culture"]))
    plain = activity(b, at(3, 4), title="未标注")
    api = api_for(world["staff"])
    base = "/api/activities/activities/"
    assert ids(api.get(base, {"target": "employees"})) == {both.pk, eo.pk}
    assert ids(api.get(base, {"goal": "organize"})) == {both.pk, eo.pk}
    # Target and goal together are one cell: `both` holds employees·serve and creators·organize, not employees·organize.
    assert ids(api.get(base, {"target": "employees", "goal": "organize"})) == {eo.pk}
    assert ids(api.get(base, {"target": "creators", "goal": "organize"})) == {both.pk}
    assert ids(api.get(base, {"theme": "culture"})) == {eo.pk}
    assert ids(api.get(base, {"theme": "public_welfare"})) == set()
    assert plain.pk in ids(api.get(base))
    # The list page reads the same parameters.
    client.force_login(world["staff"])
    r = client.get(reverse("activities:activity_list"), {"target": "employees", "goal": "organize"})
    assert [a.pk for a in r.context["object_list"]] == [eo.pk]
    # Projects.
    p1, p2 = project(world, title="甲"), project(world, title="乙")
    Project.objects.filter(pk=p1.pk).update(cells=tags.cells_mask([UL]), themes=tags.themes_mask(["public_welfare"]))
    assert ids(api.get("/api/lists/projects/", {"target": "users"})) == {p1.pk}
    assert ids(api.get("/api/lists/projects/", {"theme": "public_welfare", "goal": "lead"})) == {p1.pk}
    assert ids(api.get("/api/lists/projects/", {"goal": "serve"})) == set()
    r = client.get(reverse("matching:project_list"), {"theme": "public_welfare"})
    assert [p.pk for p in r.context["object_list"]] == [p1.pk]
    assert p2.pk in ids(api.get("/api/lists/projects/"))

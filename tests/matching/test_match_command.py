"""`jiceng match --input FILE [--output FILE] [--method lp|greedy]`."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiceng.matching import engine, instance

NEEDS = [
    {"id": 1, "category": "parking", "quantity": 3, "lat": 31.3005, "lng": 121.513, "start": "2026-06-01",
     "end": "2026-06-30", "text": "小区夜间停车需要车位", "daily_start": "18:30", "daily_end": "07:30"},
    {"id": "n-2", "category": "venue", "quantity": 1, "lat": 31.302, "lng": 121.515,
     "start": "2026-06-10T14:00", "end": "2026-06-10T16:00", "text": "社区老年活动需要场地"},
    {"id": "n-3", "category": "legal", "quantity": 1, "lat": 31.3, "lng": 121.5, "start": "2026-06-10",
     "end": "2026-06-10"},
]
RESOURCES = [
    {"id": 10, "category": "parking", "capacity": 2, "lat": 31.3015, "lng": 121.512, "radius_m": 1500,
     "start": "2026-05-01", "end": "2026-12-31", "text": "写字楼地下车库夜间错时共享车位",
     "daily_start": "19:00", "daily_end": "07:00", "title": "ignored"},
    {"id": "R-11", "category": "venue", "capacity": 5, "lat": 31.3018, "lng": 121.5142, "radius_m": 2000,
     "start": "2026-06-01T08:00", "end": "2026-06-30T18:00", "text": "党群服务站活动室可借用"},
]


def instance_data(needs=None, resources=None) -> dict:
    return {"needs": copy.deepcopy(NEEDS[:2] if needs is None else needs),
            "resources": copy.deepcopy(RESOURCES if resources is None else resources)}


def write(tmp_path: Path, data, name="in.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args, stdin=None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("match", *args, stdout=out, stderr=err, **({"stdin": stdin} if stdin is not None else {}))
    return out.getvalue(), err.getvalue()


def test_round_trip_through_files(tmp_path):
    source = write(tmp_path, instance_data())
    target = tmp_path / "out.json"
    out, err = run("--input", str(source), "--output", str(target))
    assert out == "" and err == ""
    result = json.loads(target.read_text(encoding="utf-8"))
    assert set(result) == {"assignments", "unmatched", "total_score", "stats"}
    # ids are echoed as given: integers stay integers.
    pairs = [(a["need"], a["resource"], a["quantity"]) for a in result["assignments"]]
    assert pairs == [(1, 10, 2), ("n-2", "R-11", 1)]
    assert result["unmatched"] == [{"need": 1, "quantity": 1}]
    assert result["total_score"] == pytest.approx(sum(a["score"] * a["quantity"] for a in result["assignments"]),
                                                  abs=1e-5)
    assert result["stats"]["method"] == "lp"
    # The same answer as the engine on the same items.
    needs, resources = instance.loads(source.read_text(encoding="utf-8"))
    assert result["total_score"] == pytest.approx(engine.assign(needs, resources).total_score, abs=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "out.json"]  # no temporary file left


def test_stdout_is_pure_json_and_stdin_works(tmp_path):
    text = json.dumps(instance_data(), ensure_ascii=False)
    out, err = run("--input", "-", "--method", "greedy", stdin=io.StringIO(text))
    result = json.loads(out)
    assert result["stats"]["method"] == "greedy"
    assert len(result["assignments"]) == 2
    assert err == ""


def test_a_byte_order_mark_is_accepted(tmp_path):
    source = tmp_path / "bom.json"
    source.write_bytes(b"\xef\xbb\xbf" + json.dumps(instance_data()).encode())
    assert json.loads(run("--input", str(source))[0])["assignments"]


def test_output_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    run("--input", str(write(tmp_path, instance_data())), "--output", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["assignments"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "out.json"]


def test_dates_are_whole_days(tmp_path):
    # A need on 2026-06-10 (the whole day) and a resource that evening: they overlap.
    needs = [dict(NEEDS[1], start="2026-06-10", end="2026-06-10")]
    resources = [dict(RESOURCES[1], start="2026-06-10T19:00", end="2026-06-11T08:00")]
    out, _ = run("--input", str(write(tmp_path, instance_data(needs, resources))))
    assert json.loads(out)["assignments"][0]["need"] == "n-2"


def test_times_with_utc_offsets(tmp_path):
    needs = [dict(NEEDS[1], start="2026-06-10T14:00+08:00", end="2026-06-10T08:00Z")]  # 14:00–16:00 in Shanghai
    resources = [dict(RESOURCES[1], start="2026-06-10", end="2026-06-10")]  # a date: China Standard Time
    out, _ = run("--input", str(write(tmp_path, instance_data(needs, resources))))
    assert json.loads(out)["assignments"][0]["resource"] == "R-11"


def test_large_inputs_report_progress_on_stderr_only(tmp_path):
    needs, resources = engine.generate_instance(3000, 3000, seed=1)

    def row(item):
        data = {k: getattr(item, k) for k in item.__slots__}
        data["start"], data["end"] = data["start"].isoformat(), data["end"].isoformat()
        for key in ("daily_start", "daily_end"):
            data[key] = data[key].strftime("%H:%M") if data[key] else None
        return data

    source = write(tmp_path, {"needs": [row(n) for n in needs], "resources": [row(r) for r in resources]})
    out, err = run("--input", str(source))
    assert json.loads(out)["stats"]["needs"] == 3000
    assert "candidates" in err and "done" in err
    assert run("--input", str(source), "-v", "0")[1] == ""
    assert json.loads(out)["total_score"] == pytest.approx(engine.assign(needs, resources).total_score, abs=1e-5)


# --- bad input: the JSON path, exit status 2, nothing written -------------------------------------------------

def need_with(**changes):
    row = dict(NEEDS[0])
    for key, value in changes.items():
        if value is DROP:
            row.pop(key)
        else:
            row[key] = value
    return {"needs": [row], "resources": copy.deepcopy(RESOURCES)}


def resource_with(**changes):
    row = dict(RESOURCES[0])
    row.update(changes)
    return {"needs": copy.deepcopy(NEEDS[:1]), "resources": [row]}


DROP = object()

BAD = [
    ("malformed", '{"needs": [', "$ (行 line 1", "malformed JSON"),
    ("nan", '{"needs": [], "resources": [{"lat": NaN}]}', "$", "malformed JSON"),
    ("root", "[]", "$", "must be a JSON object"),
    ("missing needs", {"resources": []}, "needs", "required field is missing"),
    ("needs not array", {"needs": {}, "resources": []}, "needs", "must be an array"),
    ("item not object", {"needs": [3], "resources": []}, "needs[0]", "must be an object"),
    ("missing lat", need_with(lat=DROP), "needs[0].lat", "required field is missing"),
    ("missing id", need_with(id=DROP), "needs[0].id", "required field is missing"),
    ("lat range", need_with(lat=91), "needs[0].lat", "必须在 -90 到 90 之间 / must be between -90 and 90"),
    ("lng range", need_with(lng=-180.5), "needs[0].lng", "must be between -180 and 180"),
    ("lat type", need_with(lat="31.3"), "needs[0].lat", "must be a number"),
    ("quantity zero", need_with(quantity=0), "needs[0].quantity", "must be a positive integer"),
    ("quantity fraction", need_with(quantity=2.5), "needs[0].quantity", "must be a positive integer"),
    ("quantity text", need_with(quantity="3"), "needs[0].quantity", "must be a positive integer"),
    ("quantity bool", need_with(quantity=True), "needs[0].quantity", "must be a positive integer"),
    ("capacity", resource_with(capacity=-1), "resources[0].capacity", "must be a positive integer"),
    ("radius zero", resource_with(radius_m=0), "resources[0].radius_m", "must be a positive number"),
    ("radius missing", {"needs": [], "resources": [{k: v for k, v in RESOURCES[0].items() if k != "radius_m"}]},
     "resources[0].radius_m", "required field is missing"),
    ("category", need_with(category="space"), "needs[0].category", "unknown category 'space'"),
    ("end before start", need_with(start="2026-06-30", end="2026-06-01"), "needs[0].end", "must be after start"),
    ("end equals start", resource_with(start="2026-06-01T08:00", end="2026-06-01T08:00"), "resources[0].end",
     "must be after start"),
    ("bad date", need_with(start="2026-13-01"), "needs[0].start", "ISO 8601"),
    ("date type", need_with(end=20260601), "needs[0].end", "ISO 8601"),
    ("mixed zones", resource_with(start="2026-05-01T00:00", end="2026-12-31T00:00+08:00"), "resources[0].end",
     "UTC offset"),
    ("duplicate id", {"needs": [NEEDS[0], dict(NEEDS[1], id=1)], "resources": []}, "needs[1].id",
     "duplicate id (same as needs[0])"),
    ("duplicate id as text", {"needs": [NEEDS[0], dict(NEEDS[1], id="1")], "resources": []}, "needs[1].id",
     "duplicate id"),
    ("id type", need_with(id=1.5), "needs[0].id", "must be a non-empty string or an integer"),
    ("id empty", need_with(id=" "), "needs[0].id", "must be a non-empty string or an integer"),
    ("id bool", need_with(id=False), "needs[0].id", "must be a non-empty string or an integer"),
    ("text type", need_with(text=["车位"]), "needs[0].text", "must be a string"),
    ("daily alone", need_with(daily_end=DROP), "needs[0].daily_end", "go together"),
    ("daily format", need_with(daily_start="25:00"), "needs[0].daily_start", "HH:MM"),
    ("daily equal", need_with(daily_start="07:30"), "needs[0].daily_end", "must differ from daily_start"),
]


@pytest.mark.parametrize(("data", "path", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_names_the_json_path_and_writes_nothing(tmp_path, data, path, message):
    source = write(tmp_path, data)
    target = tmp_path / "out.json"
    with pytest.raises(CommandError) as caught:
        run("--input", str(source), "--output", str(target))
    assert caught.value.returncode == 2
    assert f"{path}: " in str(caught.value) or str(caught.value).split("\n")[1].startswith(path)
    assert message in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json"]


def test_every_problem_is_reported_at_once(tmp_path):
    data = {"needs": [dict(NEEDS[0], lat=100), dict(NEEDS[1], quantity=0)],
            "resources": [dict(RESOURCES[0], radius_m=-5)]}
    with pytest.raises(CommandError) as caught:
        run("--input", str(write(tmp_path, data)))
    lines = str(caught.value).splitlines()
    assert [line.split(":")[0] for line in lines[1:]] == ["needs[0].lat", "needs[1].quantity", "resources[0].radius_m"]


def test_error_list_is_capped(tmp_path):
    data = {"needs": [dict(NEEDS[0], id=k, lat=100) for k in range(80)], "resources": []}
    with pytest.raises(CommandError) as caught:
        run("--input", str(write(tmp_path, data)))
    assert "and 30 more" in str(caught.value)


def test_missing_input_file_and_output_folder(tmp_path):
    with pytest.raises(CommandError, match="no such file") as caught:
        run("--input", str(tmp_path / "nope.json"))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="directory does not exist") as caught:
        run("--input", str(write(tmp_path, instance_data())), "--output", str(tmp_path / "no" / "out.json"))
    assert caught.value.returncode == 2


def test_exit_status_and_stderr_of_the_real_command(tmp_path):
    source = write(tmp_path, need_with(lat=-95))
    target = tmp_path / "out.json"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="jiceng.settings_test")
    done = subprocess.run([sys.executable, "-m", "jiceng.cli", "match", "--input", str(source), "--output",
                           str(target)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "needs[0].lat: 必须在 -90 到 90 之间 / must be between -90 and 90" in done.stderr
    assert done.stdout == ""
    assert not target.exists()
    good = write(tmp_path, instance_data(), name="good.json")
    done = subprocess.run([sys.executable, "-m", "jiceng.cli", "match", "--input", str(good)], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["assignments"]

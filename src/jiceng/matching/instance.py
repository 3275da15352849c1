"""The JSON format of `jiceng match`: reading and checking an instance, writing a result.

Input::

    {"needs": [{"id", "category", "quantity", "lat", "lng", "start", "end", "text"?, "daily_start"?, "daily_end"?}],
     "resources": [{"id", "category", "capacity", "lat", "lng", "radius_m", "start", "end", "text"?, ...}]}

Every problem is reported with its JSON path and a bilingual message, all of them at once (up to
`MAX_ERRORS`), e.g. ``needs[3].lat: 必须在 -90 到 90 之间 / must be between -90 and 90``. Dates
("2026-12-01") stand for whole days: a start date begins at 00:00, an end date includes that day.
Times either all carry a UTC offset or none does; dates take China Standard Time in an instance whose
times carry offsets. Fields the format does not know (a title, a unit...) are ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .engine import CATEGORIES, MatchResult, NeedItem, ResourceItem

MAX_ERRORS = 50
DATE_TIMEZONE = ZoneInfo("Asia/Shanghai")  # for dates in an instance whose times carry UTC offsets
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")

MISSING = "缺少此字段 / required field is missing"
NOT_OBJECT = "必须是对象 / must be an object"
NOT_ARRAY = "必须是数组 / must be an array"
ROOT = "必须是含 needs 与 resources 数组的 JSON 对象 / must be a JSON object with needs and resources arrays"
BAD_ID = "必须是非空字符串或整数 / must be a non-empty string or an integer"
NOT_POSITIVE_INT = "必须是正整数 / must be a positive integer"
NOT_NUMBER = "必须是数字 / must be a number"
NOT_POSITIVE = "必须是正数 / must be a positive number"
LAT_RANGE = "必须在 -90 到 90 之间 / must be between -90 and 90"
LNG_RANGE = "必须在 -180 到 180 之间 / must be between -180 and 180"
BAD_DATETIME = ("必须是 ISO 8601 日期或时间，如 2026-12-01 或 2026-12-01T08:00 / "
                "must be an ISO 8601 date or date-time, e.g. 2026-12-01 or 2026-12-01T08:00")
END_BEFORE_START = "必须晚于 start / must be after start"
MIXED_ZONES = ("时区不一致：有的时间带 UTC 偏移，有的不带 / "
               "mixes times with and without a UTC offset (give all or none)")
NOT_STRING = "必须是字符串 / must be a string"
BAD_TIME_OF_DAY = "必须是 HH:MM 格式的时刻 / must be a time of day as HH:MM"
DAILY_PAIR = "daily_start 与 daily_end 须同时给出 / daily_start and daily_end go together"
DAILY_EQUAL = "不能与 daily_start 相同 / must differ from daily_start"


def _duplicate(first: str) -> str:
    return f"重复的 id（与 {first} 相同）/ duplicate id (same as {first})"


def _unknown_category(value: Any) -> str:
    codes = ", ".join(CATEGORIES)
    return f"未知类别 {value!r}，可选 {codes} / unknown category {value!r}; expected one of {codes}"


class InstanceError(ValueError):
    """The input is not a valid instance; `errors` lists (JSON path, message)."""

    def __init__(self, errors: list[tuple[str, str]], more: int = 0):
        self.errors = errors
        self.more = more
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{path}: {message}" for path, message in self.errors]
        if self.more:
            lines.append(f"……另有 {self.more} 处错误 / … and {self.more} more")
        return "\n".join(lines)


class _Checker:
    """Collects errors while converting an instance; converted values are only used when there are none."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.count = 0
        self.aware_at: str | None = None  # first path with a UTC offset, first path without
        self.naive_at: str | None = None

    def error(self, path: str, message: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((path, message))

    def number(self, row: dict, key: str, path: str) -> float | None:
        value = row.get(key)
        if key not in row:
            self.error(path, MISSING)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, NOT_NUMBER)
        elif not math.isfinite(value):
            self.error(path, NOT_NUMBER)
        else:
            return float(value)
        return None

    def positive_int(self, row: dict, key: str, path: str) -> int | None:
        value = row.get(key)
        if key not in row:
            self.error(path, MISSING)
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(path, NOT_POSITIVE_INT)
        else:
            return value
        return None

    def moment(self, row: dict, key: str, path: str, end: bool) -> dt.datetime | None:
        value = row.get(key)
        if key not in row:
            self.error(path, MISSING)
            return None
        if not isinstance(value, str):
            self.error(path, BAD_DATETIME)
            return None
        text = value.strip()
        try:
            if _DATE.match(text):
                day = dt.date.fromisoformat(text)
                # An end date includes its day: the window runs to midnight after it.
                return dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time())
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self.error(path, BAD_DATETIME)
            return None
        if moment.tzinfo is None:
            self.naive_at = self.naive_at or path
        else:
            self.aware_at = self.aware_at or path
        return moment

    def time_of_day(self, row: dict, key: str, path: str) -> dt.time | None:
        value = row.get(key)
        match = _TIME_OF_DAY.match(value.strip()) if isinstance(value, str) else None
        if match is None:
            self.error(path, BAD_TIME_OF_DAY)
            return None
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            self.error(path, BAD_TIME_OF_DAY)
            return None
        return dt.time(hour, minute, second)


def _item(check: _Checker, row: Any, path: str, resource: bool, seen: dict[str, str]) -> dict | None:
    if not isinstance(row, dict):
        check.error(path, NOT_OBJECT)
        return None
    errors_before = check.count
    fields: dict[str, Any] = {}

    ident = row.get("id")
    if "id" not in row:
        check.error(f"{path}.id", MISSING)
    elif isinstance(ident, bool) or not isinstance(ident, int | str) or (isinstance(ident, str) and not ident.strip()):
        check.error(f"{path}.id", BAD_ID)
    else:
        # 7 and "7" would be told apart by nothing downstream (database keys, URLs): one id, one item.
        key = str(ident)
        if key in seen:
            check.error(f"{path}.id", _duplicate(seen[key]))
        else:
            seen[key] = path
        fields["id"] = ident

    category = row.get("category")
    if "category" not in row:
        check.error(f"{path}.category", MISSING)
    elif category not in CATEGORIES:
        check.error(f"{path}.category", _unknown_category(category))
    fields["category"] = category

    amount_key = "capacity" if resource else "quantity"
    fields[amount_key] = check.positive_int(row, amount_key, f"{path}.{amount_key}")
    lat = check.number(row, "lat", f"{path}.lat")
    if lat is not None and not -90 <= lat <= 90:
        check.error(f"{path}.lat", LAT_RANGE)
    lng = check.number(row, "lng", f"{path}.lng")
    if lng is not None and not -180 <= lng <= 180:
        check.error(f"{path}.lng", LNG_RANGE)
    fields["lat"], fields["lng"] = lat, lng
    if resource:
        radius = check.number(row, "radius_m", f"{path}.radius_m")
        if radius is not None and radius <= 0:
            check.error(f"{path}.radius_m", NOT_POSITIVE)
        fields["radius_m"] = radius

    start = check.moment(row, "start", f"{path}.start", end=False)
    end = check.moment(row, "end", f"{path}.end", end=True)
    fields["start"], fields["end"] = start, end

    text = row.get("text", "")
    if text is None:
        text = ""
    elif not isinstance(text, str):
        check.error(f"{path}.text", NOT_STRING)
    fields["text"] = text

    has_start, has_end = row.get("daily_start") is not None, row.get("daily_end") is not None
    fields["daily_start"] = fields["daily_end"] = None
    if has_start != has_end:
        check.error(f"{path}.{'daily_end' if has_start else 'daily_start'}", DAILY_PAIR)
    elif has_start:
        daily_start = check.time_of_day(row, "daily_start", f"{path}.daily_start")
        daily_end = check.time_of_day(row, "daily_end", f"{path}.daily_end")
        if daily_start is not None and daily_start == daily_end:
            check.error(f"{path}.daily_end", DAILY_EQUAL)
        fields["daily_start"], fields["daily_end"] = daily_start, daily_end

    if check.count > errors_before:
        return None
    return fields


def _in_zone(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=DATE_TIMEZONE)


def parse_instance(data: Any) -> tuple[list[NeedItem], list[ResourceItem]]:
    """Check a decoded JSON instance and build the engine's items; InstanceError lists every problem."""
    check = _Checker()
    if not isinstance(data, dict):
        raise InstanceError([("$", ROOT)])
    rows: dict[str, list[tuple[str, dict]]] = {"needs": [], "resources": []}
    for side in rows:
        if side not in data:
            check.error(side, MISSING)
        elif not isinstance(data[side], list):
            check.error(side, NOT_ARRAY)
        else:
            seen: dict[str, str] = {}
            for k, row in enumerate(data[side]):
                fields = _item(check, row, f"{side}[{k}]", side == "resources", seen)
                if fields is not None:
                    rows[side].append((f"{side}[{k}]", fields))
    if check.aware_at and check.naive_at:
        # Name the first time that disagrees with the first one given.
        check.error(max(check.aware_at, check.naive_at, key=_path_order), MIXED_ZONES)
    else:
        for path, fields in rows["needs"] + rows["resources"]:
            if check.aware_at:
                fields["start"], fields["end"] = _in_zone(fields["start"]), _in_zone(fields["end"])
            if fields["end"] <= fields["start"]:
                check.error(f"{path}.end", END_BEFORE_START)
    if check.count:
        raise InstanceError(check.errors, check.count - len(check.errors))
    return ([NeedItem(**fields) for _, fields in rows["needs"]],
            [ResourceItem(**fields) for _, fields in rows["resources"]])


def _path_order(path: str) -> tuple[int, int]:
    side, _, rest = path.partition("[")
    return (0 if side == "needs" else 1, int(rest.split("]")[0]))


def loads(text: str) -> tuple[list[NeedItem], list[ResourceItem]]:
    """Decode and check an instance given as JSON text."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InstanceError([(f"$ (行 line {exc.lineno}, 列 column {exc.colno})",
                              f"JSON 格式错误 / malformed JSON: {exc.msg}")]) from exc
    return parse_instance(data)


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def dumps(result: MatchResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the whole new one, never a part."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


"""Reading the State Council General Office's yearly notice (国务院办公厅关于 YYYY 年部分节假日安排的通知).

The notice is a short text published every autumn; its items read like

    一、元旦：1月1日（周五）放假1天，不调休。
    二、春节：2月6日（农历除夕、周六）至13日（农历正月初七、周六）放假调休，共8天。1月31日（周日）上班。
    六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。

Each item's sentences that say 放假 name days off (single days or 至/到 ranges, the end inheriting the month and
year of the start); sentences that say 上班 name make-up working days (调休上班), which are always weekend days.
Other sentences (the closing paragraph, "鼓励……休息") are advisory and skipped. Older notices write 星期六 where
newer ones write 周六, and 2019's and 2023's 元旦 items start in December of the year before ("2018年12月30日至
2019年1月1日"), which is the one case where a date outside the notice's year is accepted.

Every check that fails names the sentence: a date that does not exist (2月30日), a weekday annotation that does
not match the date, a range whose end precedes its start, a 共N天 that does not match the range, a make-up
working day on a weekday, a date outside the year.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

WEEKDAYS = "一二三四五六日"
CN_NUMBERS = {c: i for i, c in enumerate("零一二三四五六七八九十")}

_ITEM = re.compile(r"(?:^|(?<=\n)|(?<=。))[ \t]*([一二三四五六七八九十]{1,3})、([^:\n。]{1,30}?):")
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\s*\(([^)]*)\))?")
_RANGE = re.compile(r"^\s*(?:至|到|-|~|—|–)\s*$")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_COUNT = re.compile(r"(?:共|放假)\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*天")
_TITLE_YEAR = re.compile(r"关于\s*(\d{4})\s*年")
_DOCUMENT = re.compile(r"国办发(?:明电)?〔\d{4}〕\d+号")


class NoticeError(ValueError):
    """The text is not a notice this parser can read; the message names the sentence."""


@dataclass
class NoticeItem:
    name: str
    days_off: list[dt.date] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)


@dataclass
class ParsedNotice:
    year: int
    items: list[NoticeItem]
    document: str = ""
    skipped: list[str] = field(default_factory=list)

    @property
    def holidays(self) -> list[dt.date]:
        return sorted({day for item in self.items for day in item.days_off})

    @property
    def workdays(self) -> list[dt.date]:
        return sorted({day for item in self.items for day in item.workdays})

    def names(self) -> dict[dt.date, str]:
        return {day: item.name for item in self.items for day in (*item.days_off, *item.workdays)}


def normalize(text: str) -> str:
    """Full-width digits and punctuation to half-width ((，：；) → (,:;)); 、 and 。 are kept as they are."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("．", ".")


def _cn_number(value: str) -> int:
    if value.isdigit():
        return int(value)
    if len(value) == 1:
        return CN_NUMBERS[value]
    if value[0] == "十":
        return 10 + CN_NUMBERS[value[1]]
    return CN_NUMBERS[value[0]] * 10 + (CN_NUMBERS[value[1]] if len(value) > 1 and value[1] != "十" else 0)


def _quote(sentence: str) -> str:
    sentence = sentence.strip()
    return sentence if len(sentence) <= 60 else sentence[:57] + "…"


def _fail(message: str, sentence: str) -> NoticeError:
    return NoticeError(_("“%(sentence)s”:%(message)s") % {"sentence": _quote(sentence), "message": message})


def _dates(sentence: str, year: int) -> list[tuple[dt.date, bool, re.Match]]:
    """Every date in the sentence: (date, year written explicitly, match). Month and year carry forward."""
    result = []
    current_year, current_month = None, None
    for match in _DATE.finditer(sentence):
        year_text, month_text, day_text, note = match.groups()
        if year_text:
            current_year = int(year_text)
        if month_text:
            current_month = int(month_text)
        if current_month is None:
            raise _fail(_("“%(day)s日”缺少月份。") % {"day": day_text}, sentence)
        the_year = current_year or year
        try:
            day = dt.date(the_year, current_month, int(day_text))
        except ValueError:
            raise _fail(_("%(year)d年%(month)d月%(day)s日不存在。")
                        % {"year": the_year, "month": current_month, "day": day_text}, sentence) from None
        if note:
            weekday = _WEEKDAY.search(note)
            if weekday:
                stated = "日" if weekday.group(1) == "天" else weekday.group(1)
                actual = WEEKDAYS[day.weekday()]
                if stated != actual:
                    raise _fail(_("%(date)s 是周%(actual)s,不是周%(stated)s。")
                                % {"date": day.isoformat(), "actual": actual, "stated": stated}, sentence)
        result.append((day, current_year is not None, match))
    return result


def _check_year(day: dt.date, explicit_year: bool, year: int, sentence: str) -> None:
    # 2019 and 2023 began 元旦 on 30/31 December of the year before, written with its year: the only exception.
    if day.year == year or (explicit_year and day.year == year - 1 and day.month == 12):
        return
    raise _fail(_("日期 %(date)s 不在 %(year)d 年内。") % {"date": day.isoformat(), "year": year}, sentence)


def _days_off(sentence: str, year: int) -> list[dt.date]:
    found = _dates(sentence, year)
    if not found:
        raise _fail(_("没有找到放假日期。"), sentence)
    days: list[dt.date] = []
    index = 0
    while index < len(found):
        start, explicit, match = found[index]
        _check_year(start, explicit, year, sentence)
        following = found[index + 1] if index + 1 < len(found) else None
        if following and _RANGE.match(sentence[match.end():following[2].start()]):
            end, end_explicit, _m = following
            _check_year(end, end_explicit or explicit, year, sentence)
            if end < start:
                raise _fail(_("结束日期 %(end)s 早于开始日期 %(start)s。")
                            % {"start": start.isoformat(), "end": end.isoformat()}, sentence)
            if (end - start).days > 15:
                raise _fail(_("%(start)s 至 %(end)s 超过 16 天,不是一个假期。")
                            % {"start": start.isoformat(), "end": end.isoformat()}, sentence)
            days += [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
            index += 2
        else:
            days.append(start)
            index += 1
    count = _COUNT.search(sentence)
    if count and _cn_number(count.group(1)) != len(days):
        raise _fail(_("写明共 %(stated)d 天,所列日期为 %(actual)d 天。")
                    % {"stated": _cn_number(count.group(1)), "actual": len(days)}, sentence)
    return days


def _workdays(sentence: str, year: int) -> list[dt.date]:
    found = _dates(sentence, year)
    if not found:
        raise _fail(_("没有找到上班日期。"), sentence)
    days = []
    for day, explicit, _match in found:
        _check_year(day, explicit, year, sentence)
        if day.weekday() < 5:
            raise _fail(_("%(date)s 是周%(weekday)s,调休上班日应是周六或周日。")
                        % {"date": day.isoformat(), "weekday": WEEKDAYS[day.weekday()]}, sentence)
        days.append(day)
    return days


def parse_notice(text: str, year: int | None = None) -> ParsedNotice:
    """Parse the notice's text for `year` (or the year its title names). Raises NoticeError."""
    text = normalize(text or "")
    title = _TITLE_YEAR.search(text)
    if year is None:
        if title is None:
            raise NoticeError(_("请填写年份(通知标题中没有“关于YYYY年”)。"))
        year = int(title.group(1))
    elif title and int(title.group(1)) != year:
        raise NoticeError(_("通知标题是 %(title)s 年的安排,与所填年份 %(year)d 不符。")
                          % {"title": title.group(1), "year": year})
    headers = list(_ITEM.finditer(text))
    if not headers:
        raise NoticeError(_("没有找到“一、元旦:……放假……”格式的条目,这不像是国务院办公厅的节假日安排通知。"))
    items: list[NoticeItem] = []
    skipped: list[str] = []
    for number, header in enumerate(headers):
        end = headers[number + 1].start() if number + 1 < len(headers) else len(text)
        body = text[header.end():end]
        if number + 1 == len(headers):
            body = body.split("\n", 1)[0]  # the closing paragraph is not part of the last item
        item = NoticeItem(name=header.group(2).strip())
        for sentence in re.split(r"[。;]", body):
            if not sentence.strip():
                continue
            if "上班" in sentence:
                item.workdays += _workdays(sentence, year)
            elif "放假" in sentence:
                item.days_off += _days_off(sentence, year)
            else:
                skipped.append(sentence.strip())
        if not item.days_off:
            raise _fail(_("该条目没有放假日期。"), header.group(0) + body)
        items.append(item)
    notice = ParsedNotice(year=year, items=items, skipped=skipped)
    both = set(notice.holidays) & set(notice.workdays)
    if both:
        raise NoticeError(_("%(date)s 既是放假日又是上班日。") % {"date": min(both).isoformat()})
    document = _DOCUMENT.search(text)
    notice.document = document.group(0) if document else ""
    return notice

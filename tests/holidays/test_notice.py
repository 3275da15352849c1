"""The notice parser against the calendar package's own days (2018–2026) and against malformed notices."""

import datetime as dt

import pytest
from chinese_calendar import constants as package

from jiceng.holidays.notice import NoticeError, parse_notice

from .conftest import NOTICE_2027, notice_text

D = dt.date
YEARS = range(2018, 2027)


def _in_year(days, year):
    return {d for d in days if d.year == year}


@pytest.mark.parametrize("year", YEARS)
def test_parser_reproduces_the_package_days(year):
    """A year's days are its own notice's plus the days the next notice's 元旦 puts at the end of it."""
    own = parse_notice(notice_text(year), year)
    following = parse_notice(notice_text(year + 1), year + 1) if year + 1 in YEARS else None
    holidays = _in_year(own.holidays, year) | (_in_year(following.holidays, year) if following else set())
    workdays = _in_year(own.workdays, year) | (_in_year(following.workdays, year) if following else set())
    package_holidays = _in_year(package.holidays, year)
    if year == 2026:  # the package's last year: no 2027 notice inside it
        package_holidays -= {d for d in package_holidays if d.month == 12}
    assert workdays == _in_year(package.workdays, year)
    # Every weekday off is exactly the package's; on weekends the package sometimes also labels the weekend that a
    # "与周末连休" day joins (2019's 清明, 端午, 中秋; 2024's 元旦), which changes no working day.
    assert {d for d in holidays if d.weekday() < 5} == {d for d in package_holidays if d.weekday() < 5}
    extra = package_holidays - holidays
    assert all(d.weekday() >= 5 for d in extra)
    assert holidays <= package_holidays


def test_notice_details():
    notice = parse_notice(notice_text(2026), 2026)
    assert notice.document == "国办发明电〔2025〕7号"
    assert [item.name for item in notice.items] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    spring = notice.items[1]
    assert spring.days_off[0] == D(2026, 2, 15) and spring.days_off[-1] == D(2026, 2, 23) and len(spring.days_off) == 9
    assert spring.workdays == [D(2026, 2, 14), D(2026, 2, 28)]
    # Several holidays in one item, and an advisory sentence that names a date but is not a day off.
    assert parse_notice(notice_text(2025), 2025).items[-1].name == "国庆节、中秋节"
    notice_2024 = parse_notice(notice_text(2024), 2024)
    assert D(2024, 2, 9) not in notice_2024.holidays and any("除夕" in s for s in notice_2024.skipped)


def test_ranges_across_months_and_years_and_half_width_text():
    notice = parse_notice(notice_text(2019), 2019)
    assert D(2018, 12, 30) in notice.holidays and D(2018, 12, 29) in notice.workdays
    labour = parse_notice(notice_text(2018), 2018).items[3]
    assert labour.days_off == [D(2018, 4, 29), D(2018, 4, 30), D(2018, 5, 1)]
    half_width = ("一、元旦:1月1日(周五)到3日(周日)放假,共3天.\n"
                  "二、春节:2月5日(农历除夕、周五)至13日(周六)放假调休,共9天;1月31日(星期天)上班。")
    parsed = parse_notice(half_width.replace(".", "。"), 2027)
    assert len(parsed.holidays) == 12 and parsed.workdays == [D(2027, 1, 31)]


def test_year_comes_from_the_title():
    assert parse_notice(NOTICE_2027).year == 2027
    with pytest.raises(NoticeError, match="2027"):
        parse_notice(NOTICE_2027, 2028)


@pytest.mark.parametrize(("text", "message"), [
    ("今天天气很好,大家周末愉快。", "不像是"),
    ("一、元旦:2月30日放假,共1天。", "2027年2月30日不存在"),
    ("一、春节:2月13日至5日放假调休,共9天。", "早于开始日期"),
    ("一、元旦:1月1日(周四)放假1天。", "是周五,不是周四"),
    ("一、国庆节:10月1日至7日放假调休,共8天。", "共 8 天"),
    ("一、春节:2月5日至13日放假调休,共9天。2月8日(周一)上班。", "调休上班日应是周六或周日"),
    ("一、元旦:2028年1月1日放假,共1天。", "不在 2027 年内"),
    ("一、元旦:13日放假。", "缺少月份"),
    ("一、元旦:元旦照常。", "该条目没有放假日期"),
    ("一、劳动节:5月1日至5日放假调休,共5天。5月1日(周六)上班。", "既是放假日又是上班日"),
])
def test_malformed_notices_are_refused_naming_the_sentence(text, message):
    with pytest.raises(NoticeError) as exc:
        parse_notice(text, 2027)
    assert message in str(exc.value)
    if "不像是" not in message and "既是" not in message:  # the message quotes the sentence it refuses
        refused = [s for s in text.replace(":", "。").split("。") if s and s[:2] in str(exc.value)[1:3]]
        assert str(exc.value).startswith("“") and refused

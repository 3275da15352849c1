"""The statutory holidays' names read in the reader's language; other names stay as written (decision 049)."""

from django.utils import translation

from jiceng.holidays.calendar import holiday_label


def test_statutory_names_are_translated():
    with translation.override("en"):
        assert holiday_label("春节") == "Spring Festival"
        assert holiday_label("中秋节、国庆节") == "Mid-Autumn Festival, National Day"
        assert holiday_label("公司年会") == "公司年会"
        assert holiday_label("") == ""
    with translation.override("zh-hans"):
        assert holiday_label("中秋节、国庆节") == "中秋节、国庆节"

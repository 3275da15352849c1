"""Tests for jiceng.core.validators.

Assertions are on ``ValidationError.code`` / ``params`` only, so nothing here evaluates the lazy
translated messages and the tests run without a configured Django settings module.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core.validators import (
    USCC_CHARSET,
    birth_date_from_id,
    gender_from_id,
    id_number_check_digit,
    make_id_number,
    make_uscc,
    mask_id_number,
    mask_phone,
    normalize_cn_mobile,
    normalize_id_number,
    normalize_uscc,
    uscc_check_char,
    validate_cn_mobile,
    validate_id_number,
    validate_uscc,
)

ILLEGAL_USCC_LETTERS = "IOZSV"


def error_code(validator, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value.code


# ---------------------------------------------------------------------------------------------- USCC


def test_uscc_weights_match_standard():
    from jiceng.core import validators

    assert validators._USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(USCC_CHARSET) == 31
    assert not set(ILLEGAL_USCC_LETTERS) & set(USCC_CHARSET)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # example used throughout GB 32100 write-ups
        "914403001922038216",  # real business-licence codes (large Shenzhen companies)
        "9144030071526726XG",
    ],
)
def test_known_valid_uscc(code):
    validate_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]
    assert make_uscc(code[:17]) == code


def test_uscc_check_char_maps_31_to_zero():
    # Find a body whose weighted sum is 0 mod 31: the check must be '0', not an out-of-range index.
    body = "0" * 17
    assert uscc_check_char(body) == "0"
    validate_uscc(body + "0")


def test_uscc_wrong_check_char_reports_expected():
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc("91350100M000100Y44")
    assert excinfo.value.code == "uscc_check"
    assert excinfo.value.params["expected"] == "3"
    assert excinfo.value.params["actual"] == "4"


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433", None])
def test_uscc_length(value):
    assert error_code(validate_uscc, value) == "uscc_length"


def test_uscc_illegal_char_names_position():
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc("91350100O000100Y43")  # letter O in place of digit 0 at position 9
    assert excinfo.value.code == "uscc_char"
    assert excinfo.value.params["position"] == 9
    assert excinfo.value.params["char"] == "O"
    assert excinfo.value.params["segment"] == "主体标识码"


def test_uscc_lowercase_is_rejected_but_normalizable():
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc("91350100m000100Y43")
    assert excinfo.value.code == "uscc_lowercase"
    assert excinfo.value.params["position"] == 9
    assert normalize_uscc(" 91350100m000100y43\n") == "91350100M000100Y43"
    validate_uscc(normalize_uscc("９１３５０１００Ｍ０００１００Ｙ４３"))  # full-width IME input


def test_normalize_uscc_none():
    assert normalize_uscc(None) == ""


@pytest.mark.parametrize("body", ["", "9135010", "91350100I000100Y4", "91350100m000100Y4"])
def test_uscc_check_char_rejects_bad_input(body):
    with pytest.raises(ValueError):
        uscc_check_char(body)


uscc_bodies = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)


@given(body=uscc_bodies)
def test_make_uscc_is_valid(body):
    code = make_uscc(body)
    assert len(code) == 18
    validate_uscc(code)


@given(body=uscc_bodies, position=st.integers(0, 17), data=st.data())
def test_uscc_any_single_substitution_is_detected(body, position, data):
    # 31 is prime and every weight is non-zero mod 31, so every single-character change must be caught.
    code = make_uscc(body)
    replacement = data.draw(st.sampled_from([c for c in USCC_CHARSET if c != code[position]]))
    broken = code[:position] + replacement + code[position + 1 :]
    assert error_code(validate_uscc, broken) == "uscc_check"


@given(
    body=uscc_bodies, position=st.integers(0, 17), bad=st.sampled_from(list(ILLEGAL_USCC_LETTERS + "-*# "))
)
def test_uscc_illegal_characters(body, position, bad):
    code = make_uscc(body)
    broken = code[:position] + bad + code[position + 1 :]
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(broken)
    assert excinfo.value.code == "uscc_char"
    assert excinfo.value.params["position"] == position + 1


# ------------------------------------------------------------------------------------------ ID number

GB_EXAMPLE_ID = "11010519491231002X"


def test_id_weights_match_standard():
    from jiceng.core import validators

    assert validators._ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def test_gb_11643_example():
    validate_id_number(GB_EXAMPLE_ID)
    assert id_number_check_digit(GB_EXAMPLE_ID[:17]) == "X"
    assert birth_date_from_id(GB_EXAMPLE_ID) == dt.date(1949, 12, 31)
    assert gender_from_id(GB_EXAMPLE_ID) == "F"


def test_id_wrong_check_digit():
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number("110105194912310021")
    assert excinfo.value.code == "id_check"
    assert excinfo.value.params["expected"] == "X"


def test_id_impossible_birth_date():
    first17 = "11010519490231002"  # 31 February 1949
    number = first17 + id_number_check_digit(first17)  # correct checksum, so only the date is wrong
    assert error_code(validate_id_number, number) == "id_birth_date"
    with pytest.raises(ValueError):
        birth_date_from_id(number)


def test_id_birth_in_future():
    future = dt.date.today() + dt.timedelta(days=400)
    assert error_code(validate_id_number, make_id_number("110105", future, 1, True)) == "id_birth_future"


def test_id_birth_before_1900():
    old = make_id_number("110105", dt.date(1899, 12, 31), 1, True)
    assert error_code(validate_id_number, old) == "id_birth_too_early"
    validate_id_number(make_id_number("110105", dt.date(1900, 1, 1), 1, True))


@pytest.mark.parametrize("value", ["", None, "11010519491231002", "11010519491231002XX"])
def test_id_length(value):
    assert error_code(validate_id_number, value) == "id_length"


def test_id_lowercase_x():
    assert error_code(validate_id_number, GB_EXAMPLE_ID.lower()) == "id_lowercase"
    assert normalize_id_number(" 11010519491231002x ") == GB_EXAMPLE_ID


@pytest.mark.parametrize(
    ("value", "position"),
    [("1101051949123100X2", 17), ("A1010519491231002X", 1), ("11010519491231002Y", 18)],
)
def test_id_illegal_char(value, position):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(value)
    assert excinfo.value.code == "id_char"
    assert excinfo.value.params["position"] == position


def test_gender_from_id():
    assert gender_from_id(make_id_number("310101", dt.date(1990, 1, 1), 7, True)) == "M"
    assert gender_from_id(make_id_number("310101", dt.date(1990, 1, 1), 7, False)) == "F"


@pytest.mark.parametrize(("region", "seq"), [("31010", 1), ("31010a", 1), ("310101", -1), ("310101", 500)])
def test_make_id_number_rejects_bad_args(region, seq):
    with pytest.raises(ValueError):
        make_id_number(region, dt.date(1990, 1, 1), seq, True)


id_args = {
    "region": st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    "birth": st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today() - dt.timedelta(days=1)),
    "seq": st.integers(0, 499),
    "male": st.booleans(),
}


@given(**id_args)
def test_make_id_number_round_trip(region, birth, seq, male):
    number = make_id_number(region, birth, seq, male)
    validate_id_number(number)
    assert number[:6] == region
    assert birth_date_from_id(number) == birth
    assert gender_from_id(number) == ("M" if male else "F")


@given(**id_args, position=st.integers(0, 17), data=st.data())
def test_id_any_single_substitution_is_detected(region, birth, seq, male, position, data):
    number = make_id_number(region, birth, seq, male)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    broken = number[:position] + replacement + number[position + 1 :]
    # Depending on where it lands the change may first surface as a bad date; it must never pass.
    assert error_code(validate_id_number, broken) in {
        "id_check",
        "id_birth_date",
        "id_birth_future",
        "id_birth_too_early",
    }


# ------------------------------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "19912345678",
        "+8613812345678",
        "+86 138-1234-5678",
        "86 138 1234 5678",
        "0086-13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_valid_mobiles(value):
    validate_cn_mobile(value)
    assert normalize_cn_mobile(value) == ("19912345678" if value.startswith("199") else "13812345678")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12812345678", "mobile_prefix"),
        ("23812345678", "mobile_prefix"),
        ("1381234567", "mobile_length"),
        ("138123456789", "mobile_length"),
        ("", "mobile_length"),
        (None, "mobile_length"),
        ("1381234567a", "mobile_char"),
        ("(138)12345678", "mobile_char"),
    ],
)
def test_invalid_mobiles(value, code):
    assert error_code(validate_cn_mobile, value) == code


def test_normalize_mobile_keeps_bare_86_when_not_a_prefix():
    # Only strip a bare "86" when 11 digits follow; otherwise leave it for the validator to reject.
    assert normalize_cn_mobile("8613812345678") == "13812345678"
    assert normalize_cn_mobile("86123") == "86123"
    assert normalize_cn_mobile(None) == ""


# ------------------------------------------------------------------------------------------ masking


def test_mask_id_number():
    assert mask_id_number("310101199001011234") == "3101**********1234"
    assert mask_id_number(GB_EXAMPLE_ID) == "1101**********002X"
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("1234") == "****"
    assert mask_phone("") == ""
    assert mask_phone(None) == ""


# ------------------------------------------------------------------ message rendering (settings only)


def _settings_ready() -> bool:
    from django.conf import settings

    return settings.configured


@pytest.mark.skipif(not _settings_ready(), reason="rendering lazy messages needs Django settings")
@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_uscc, "91350100M000100Y4"),
        (validate_uscc, "91350100m000100Y43"),
        (validate_uscc, "91350100O000100Y43"),
        (validate_uscc, "91350100M000100Y44"),
        (validate_id_number, "110105194912310021"),
        (validate_id_number, "11010519491231002x"),
        (validate_id_number, "1101051949123100X2"),
        (validate_id_number, "110105194902310027"),
        (validate_cn_mobile, "1381234567"),
        (validate_cn_mobile, "12812345678"),
        (validate_cn_mobile, "1381234567a"),
    ],
)
def test_messages_render_with_params(validator, value):
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    (message,) = excinfo.value.messages
    assert "%(" not in message
    assert value in message


def test_a_code_with_a_nul_byte_is_refused_before_the_database_sees_it(db, django_assert_num_queries):
    """PostgreSQL cannot compare text holding NUL: the lookup must not reach it (a 400 on the field, not a 500)."""
    from rest_framework.exceptions import ValidationError as DRFValidationError

    from jiceng.core.serializers import CodeRelatedField
    from jiceng.demands.models import Category

    field = CodeRelatedField(slug_field="code", queryset=Category.objects.all())
    with django_assert_num_queries(0), pytest.raises(DRFValidationError):
        field.to_internal_value("prop\x00erty")

"""Validators and helpers for Chinese identifiers: USCC, resident ID numbers, mobile phones.

Pure functions (``uscc_check_char``, ``id_number_check_digit``, ``birth_date_from_id`` ...) raise
``ValueError`` on malformed input; the ``validate_*`` callables raise Django's ``ValidationError`` with a
stable ``code`` so forms, serializers and tests can branch on the code rather than on message text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "USCC_CHARSET",
    "birth_date_from_id",
    "gender_from_id",
    "id_number_check_digit",
    "make_id_number",
    "make_uscc",
    "mask_id_number",
    "mask_phone",
    "normalize_cn_mobile",
    "normalize_id_number",
    "normalize_uscc",
    "uscc_check_char",
    "validate_cn_mobile",
    "validate_id_number",
    "validate_uscc",
]

# China has used a single UTC+8 offset without DST since 1991, so a fixed offset avoids a tzdata
# dependency and keeps "is the birth date in the future" independent of Django settings.
_CHINA_TZ = dt.timezone(dt.timedelta(hours=8), name="Asia/Shanghai")


def _today_in_china() -> dt.date:
    return dt.datetime.now(tz=_CHINA_TZ).date()


def _clean_text(value: object) -> str:
    """NFKC-fold (full-width -> ASCII, common with Chinese IMEs) and drop all whitespace."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


# --------------------------------------------------------------------------------------------------------
# 统一社会信用代码 (Unified Social Credit Code), GB 32100-2015
# --------------------------------------------------------------------------------------------------------

# 31 characters: digits plus upper-case letters without I, O, Z, S, V (easily confused with 1/0/2/5/U).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_INDEX = {ch: i for i, ch in enumerate(USCC_CHARSET)}
# W_i = 3^(i-1) mod 31 for positions 1..17.
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

# Which field of the code a 1-based position belongs to; used to make "illegal character" messages
# actionable for people copying the code off a business licence.
_USCC_SEGMENTS: tuple[tuple[range, str], ...] = (
    (range(1, 2), "登记管理部门代码"),
    (range(2, 3), "机构类别代码"),
    (range(3, 9), "登记管理机关行政区划码"),
    (range(9, 18), "主体标识码"),
    (range(18, 19), "校验码"),
)


def _uscc_segment(position: int) -> str:
    for positions, name in _USCC_SEGMENTS:
        if position in positions:
            return name
    return ""


def uscc_check_char(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a USCC.

    Raises ``ValueError`` if ``first17`` is not exactly 17 characters from ``USCC_CHARSET``.
    """
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    total = 0
    for pos, (ch, weight) in enumerate(zip(first17, _USCC_WEIGHTS, strict=True), start=1):
        try:
            total += _USCC_INDEX[ch] * weight
        except KeyError:
            raise ValueError(f"illegal USCC character {ch!r} at position {pos}") from None
    check = 31 - total % 31
    # A remainder of 0 would give 31, which the standard maps back to '0'.
    return USCC_CHARSET[0 if check == 31 else check]


def normalize_uscc(value: object) -> str:
    """Best-effort clean-up of user input: fold full-width, drop whitespace, upper-case."""
    return _clean_text(value).upper()


def validate_uscc(value: object) -> None:
    """Django validator for an 18-character unified social credit code (upper case expected)."""
    code = "" if value is None else str(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)s位：%(value)s"),
            code="uscc_length",
            params={"value": code, "length": len(code)},
        )
    for pos, ch in enumerate(code, start=1):
        if ch in _USCC_INDEX:
            continue
        params = {"value": code, "position": pos, "char": ch, "segment": _uscc_segment(pos)}
        if ch.upper() in _USCC_INDEX:
            # Separate code so the UI can offer "convert to upper case" instead of "re-type".
            raise ValidationError(
                _("统一社会信用代码第%(position)s位“%(char)s”为小写字母，请使用大写字母：%(value)s"),
                code="uscc_lowercase",
                params=params,
            )
        raise ValidationError(
            _(
                "统一社会信用代码第%(position)s位（%(segment)s）含非法字符“%(char)s”"
                "（不允许使用 I、O、Z、S、V 及其他符号）：%(value)s"
            ),
            code="uscc_char",
            params=params,
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验码错误：第18位应为“%(expected)s”，实为“%(actual)s”：%(value)s"),
            code="uscc_check",
            params={"value": code, "expected": expected, "actual": code[17]},
        )


def make_uscc(seed_body: str) -> str:
    """Append the check character to 17 valid characters (for tests and fixtures)."""
    return seed_body + uscc_check_char(seed_body)


# --------------------------------------------------------------------------------------------------------
# 公民身份号码 (resident identity number), GB 11643-1999
# --------------------------------------------------------------------------------------------------------

# W_i = 2^(17-i) mod 11 for 0-based i in 0..16.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_MAP = "10X98765432"
_ID_MIN_BIRTH = dt.date(1900, 1, 1)
_ID_RE = re.compile(r"\d{17}[\dX]")


def id_number_check_digit(first17: str) -> str:
    """Return the check character ('0'-'9' or 'X') for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("expected 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_MAP[total % 11]


def normalize_id_number(value: object) -> str:
    """Fold full-width, drop whitespace, and upper-case a trailing 'x'."""
    return _clean_text(value).upper()


def _parse_id_birth(value: str) -> dt.date:
    raw = value[6:14]
    if len(raw) != 8 or not raw.isascii() or not raw.isdigit():
        raise ValueError(f"invalid birth date digits {raw!r}")
    # date() raises ValueError for impossible dates such as 1949-02-31.
    return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))


def birth_date_from_id(value: str) -> dt.date:
    """Birth date encoded at positions 7-14 of an 18-character ID number; ``ValueError`` if impossible."""
    if len(value) != 18:
        raise ValueError("expected an 18-character ID number")
    return _parse_id_birth(value)


def gender_from_id(value: str) -> Literal["M", "F"]:
    """'M' if the 17th digit is odd, 'F' if even."""
    if len(value) != 18 or not value[16].isascii() or not value[16].isdigit():
        raise ValueError("expected an 18-character ID number")
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: object) -> None:
    """Django validator for an 18-character resident ID number, including its birth date."""
    number = "" if value is None else str(value)
    if len(number) != 18:
        raise ValidationError(
            _("公民身份号码应为18位，当前为%(length)s位：%(value)s"),
            code="id_length",
            params={"value": number, "length": len(number)},
        )
    if not _ID_RE.fullmatch(number):
        if number[:17].isascii() and number[:17].isdigit() and number[17] == "x":
            raise ValidationError(
                _("公民身份号码末位校验码请使用大写字母“X”：%(value)s"),
                code="id_lowercase",
                params={"value": number},
            )
        # Name the first offending position so the user knows where to look.
        pos = next(
            i
            for i, ch in enumerate(number, start=1)
            if not (ch.isascii() and (ch.isdigit() or (i == 18 and ch == "X")))
        )
        raise ValidationError(
            _("公民身份号码第%(position)s位含非法字符“%(char)s”（前17位须为数字，末位为数字或X）：%(value)s"),
            code="id_char",
            params={"value": number, "position": pos, "char": number[pos - 1]},
        )
    try:
        birth = _parse_id_birth(number)
    except ValueError:
        raise ValidationError(
            _("公民身份号码中的出生日期“%(birth)s”不是有效日期：%(value)s"),
            code="id_birth_date",
            params={"value": number, "birth": number[6:14]},
        ) from None
    if birth < _ID_MIN_BIRTH:
        raise ValidationError(
            _("公民身份号码中的出生日期%(birth)s早于1900年：%(value)s"),
            code="id_birth_too_early",
            params={"value": number, "birth": birth.isoformat()},
        )
    if birth > _today_in_china():
        raise ValidationError(
            _("公民身份号码中的出生日期%(birth)s晚于今天：%(value)s"),
            code="id_birth_future",
            params={"value": number, "birth": birth.isoformat()},
        )
    expected = id_number_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("公民身份号码校验码错误：第18位应为“%(expected)s”，实为“%(actual)s”：%(value)s"),
            code="id_check",
            params={"value": number, "expected": expected, "actual": number[17]},
        )


def make_id_number(region: str, birth: dt.date, seq: int, male: bool) -> str:
    """Build a valid ID number (for tests and fixtures).

    ``region`` is the 6-digit administrative division code. The 3-digit order code is
    ``2 * seq + (1 if male else 0)``, so ``seq`` ranges over 0..499 and parity encodes gender.
    No plausibility check is applied to ``birth``, so tests can build future/too-old numbers.
    """
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise ValueError("region must be 6 ASCII digits")
    if not 0 <= seq <= 499:
        raise ValueError("seq must be in 0..499")
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{2 * seq + int(male):03d}"
    return first17 + id_number_check_digit(first17)


# --------------------------------------------------------------------------------------------------------
# Mainland mobile numbers
# --------------------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_MOBILE_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_cn_mobile(value: object) -> str:
    """Strip spaces/dashes and a +86 / 0086 / 86 country prefix; returns '' for None.

    The result is not guaranteed valid: pass it through ``validate_cn_mobile`` if that matters.
    """
    if value is None:
        return ""
    text = _MOBILE_SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value)))
    if text.startswith("+86"):
        return text[3:]
    if text.startswith("0086"):
        return text[4:]
    # A bare "86" is only a prefix when 11 digits follow; mobile numbers themselves start with 1.
    if text.startswith("86") and len(text) == 13:
        return text[2:]
    return text


def validate_cn_mobile(value: object) -> None:
    """Django validator for a mainland mobile number; tolerates +86 prefix and spaces/dashes."""
    raw = "" if value is None else str(value)
    number = normalize_cn_mobile(raw)
    # Empty input falls through to the length message, which is the more helpful one.
    if number and not (number.isascii() and number.isdigit()):
        raise ValidationError(
            _("手机号码只能包含数字（可带 +86 前缀及空格、短横线）：%(value)s"),
            code="mobile_char",
            params={"value": raw},
        )
    if len(number) != 11:
        raise ValidationError(
            _("手机号码应为11位数字，当前为%(length)s位：%(value)s"),
            code="mobile_length",
            params={"value": raw, "length": len(number)},
        )
    if not _MOBILE_RE.fullmatch(number):
        raise ValidationError(
            _("手机号码应以“1”开头且第二位为3至9：%(value)s"),
            code="mobile_prefix",
            params={"value": raw},
        )


# --------------------------------------------------------------------------------------------------------
# Masking for display / logs
# --------------------------------------------------------------------------------------------------------


def _mask(text: str, keep_head: int, keep_tail: int) -> str:
    if len(text) <= keep_head + keep_tail:
        # Too short to reveal anything safely: hide it all rather than leak most of it.
        return "*" * len(text)
    return text[:keep_head] + "*" * (len(text) - keep_head - keep_tail) + text[len(text) - keep_tail :]


def mask_id_number(value: object) -> str:
    """'310101199001011234' -> '3101**********1234'; None/'' -> ''."""
    if not value:
        return ""
    return _mask(str(value).strip(), 4, 4)


def mask_phone(value: object) -> str:
    """'13812345678' -> '138****5678' (prefix/separators removed first); None/'' -> ''."""
    if not value:
        return ""
    return _mask(normalize_cn_mobile(value), 3, 4)


def birth_date_mismatch(id_number: str, birth_date) -> dict:
    """{'birth_date': message} when a valid ID number's embedded birth date differs from `birth_date`."""
    try:
        born = birth_date_from_id(id_number)
    except (ValueError, ValidationError):
        return {}
    if birth_date and born != birth_date:
        return {"birth_date": _("出生日期与身份证号码不一致(应为 %(date)s)。") % {"date": born}}
    return {}


def place_id_param(raw: object) -> int | None:
    """A request's `place` parameter as an id: None when not given, a ValidationError naming the field when it is
    not a whole number that fits a database key (the reports and the matrix report read it the same way)."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise ValidationError({"place": _("地域应为整数 ID。")})
    return int(text)

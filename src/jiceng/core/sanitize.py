"""Control characters in text from outside: one definition, used where text comes in and where it goes out.

Text typed or pasted by people can carry C0 control characters that no one meant: Word's manual line
break is a vertical tab (\\x0b), a carriage return comes with every Windows line end, and a script can
send anything. They are invisible on screen but break what is built from the text: XML 1.0 (and so
.xlsx, whose cells openpyxl refuses to write with them, and ICS) forbids every C0 character except tab,
line feed and carriage return. So they are normalized, not refused (refusing would turn away a citizen
who pasted from Word): line-like ones become a line feed, the others are dropped.

Applied at input (the demand intake service behind the public form, Open311 and the API; the shared
model-form and serializer bases; the Excel import parser) and again at output (Excel and calendar
exports), because data stored before this rule, or written by code that bypasses forms, must not break
an export either. See docs/decisions/020-hostile-text-in-exports-and-imports.md.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls except tab and line feed, plus DEL (XML 1.0 "Char" production; openpyxl's
# ILLEGAL_CHARACTERS_RE is the C0 part of this). \r, \v and \f are included so they can become "\n".
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = {"\r": "\n", "\x0b": "\n", "\x0c": "\n"}


def _replace(match: re.Match) -> str:
    return _LINE_BREAKS.get(match.group(), "")


def strip_control_chars(text: str) -> str:
    """`text` with CR LF, CR, VT and FF as LF, and every other C0 control character (but tab) and DEL removed."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_replace, text.replace("\r\n", "\n"))


def single_line(text: str) -> str:
    """`strip_control_chars`, then line breaks and tabs as spaces: for one-line fields such as a calendar
    event's summary (icalendar refuses a raw line break in some properties)."""
    return " ".join(strip_control_chars(text).split())


def strip_control_chars_in(values: dict[str, Any]) -> None:
    """Apply `strip_control_chars` to every string value of a dict (a form's cleaned_data, a serializer's attrs)."""
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = strip_control_chars(value)

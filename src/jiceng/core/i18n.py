"""Reference data in two languages (decision 049).

Labels that come from the database rather than from the code (demand categories, risk signal types, playbook
actions) carry an English text beside the Chinese one; the English shows when English is active and it is filled
in, the Chinese otherwise. Data people enter (enterprise names, titles, notes) stays as written.
"""

from __future__ import annotations

from django.utils import translation


def english_active() -> bool:
    return (translation.get_language() or "").lower().startswith("en")


def localized(zh: str, en: str) -> str:
    """The Chinese text, or the English one when English is active and there is one."""
    return en if en and english_active() else zh

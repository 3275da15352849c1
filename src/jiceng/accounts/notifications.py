"""Notification messages: one registry of keys, each with its gettext template, rendered in the reader's language.

A notification is stored as a key and its parameters (decision 048), not as a sentence: the sentence is made when
someone reads it, in the language they read in. Parameters are JSON values:

- a plain string or number (names, titles, dates as ISO text): shown as written, in every language;
- ``{"t": msgid}``: a translatable label (a choice's label, such as a risk level), translated when shown;
- ``{"t": msgid, "p": {...}}``: a small translatable template with its own parameters (a provisional date);
- ``{"l": {"zh-hans": ..., "en": ...}}``: reference data that carries both languages (a playbook's action).

``encode`` turns what a service passes (lazy labels, ``later(...)``, ``bilingual(...)``, dates) into these values.
Rows created before keys existed keep their sentence; ``recognize`` converts the ones it can (data migration
accounts/0004).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SOURCE_LANGUAGE = "zh-hans"  # the templates' msgids are Chinese
PROVISIONAL_DATE = _("%(date)s(暂定)")


@dataclass(frozen=True)
class Kind:
    """One kind of notification: its template, and for converting old sentences, what its parameters hold."""

    template: Promise
    # parameter → dotted path of the TextChoices its value is a label of (old sentences hold the label)
    choices: Mapping[str, str] = field(default_factory=dict)
    # parameters that hold a deadline, possibly marked provisional
    dates: tuple[str, ...] = ()
    # parameters that hold a default playbook action (risk.defaults), stored in both languages
    actions: tuple[str, ...] = ()


# The one registry. Keys are stable identifiers (stored in the database): never rename one; add a new key instead.
KINDS: dict[str, Kind] = {
    "demand.assigned": Kind(_("新派单:%(t)s(期限 %(d)s)"), dates=("d",)),
    "demand.resolved": Kind(_("您的需求已办结:%(t)s,请评价。")),
    "demand.escalated": Kind(_("督办:需求“%(t)s”已超期(期限 %(d)s)"), dates=("d",)),
    "risk.level_rose": Kind(_("风险预警:%(name)s 升至“%(level)s”,请于 %(due)s 前跟进:%(action)s"),
                            choices={"level": "jiceng.risk.choices.RiskLevel"}, dates=("due",), actions=("action",)),
    "risk.digest": Kind(_("风险重算:%(n)d 家企业风险等级上升,请按处置预案在期限内跟进。")),
    "activity.cancelled": Kind(_("活动已取消:%(title)s(%(when)s)")),
    "activity.promoted": Kind(_("候补成功:您已获得“%(title)s”(%(when)s)的名额。")),
    "activity.reminder": Kind(_("活动提醒:明天 %(time)s “%(title)s”,地点:%(where)s")),
    "holidays.unpublished": Kind(
        _("%(year)d 年的节假日安排尚未发布,期限暂按法定节日推算。国务院办公厅通知发布后,请导入。")),
    "venues.booking_requested": Kind(_("新的场地预约待审批:%(booking)s,%(who)s")),
    "venues.booking_approved": Kind(_("您的场地预约已批准:%(booking)s")),
    "venues.booking_rejected": Kind(_("您的场地预约未获批准:%(booking)s。理由:%(reason)s")),
    "venues.booking_cancelled": Kind(_("您的场地预约已被取消:%(booking)s。理由:%(reason)s")),
    "matching.need_claimed": Kind(_("“%(unit)s”认领了需求“%(need)s”(%(q)s),请确认。")),
    "matching.resource_claimed": Kind(_("“%(who)s”认领了资源“%(res)s”(%(q)s),请确认。")),
    "matching.project_status": Kind(_("项目“%(p)s”:%(s)s"), choices={"s": "jiceng.matching.models.ProjectStatus"}),
    "demand.routed_to_head": Kind(_("有事找楼长:%(place)s有新需求“%(t)s”")),
    "demand.forwarded_by_head": Kind(_("楼长转来需求:%(t)s")),
    "governance.head_appointed": Kind(_("您已任命为%(place)s楼长。")),
    "governance.objection_raised": Kind(_("楼长推选收到异议:%(s)s,推选已暂停,请处理。")),
    "department.assigned": Kind(_("派给%(dept)s的需求:%(t)s,请于 %(d)s 前签收或退单。"), dates=("d",)),
    "department.signed": Kind(_("%(dept)s已签收需求:%(t)s")),
    "department.returned": Kind(_("%(dept)s退回需求:%(t)s。理由:%(reason)s")),
    "department.resolved": Kind(_("%(dept)s已办结需求:%(t)s,请回访提出人。")),
    "department.sign_overdue": Kind(_("签收超时:%(dept)s未在 %(d)s 前签收需求“%(t)s”,已督办。"), dates=("d",)),
    "department.callback": Kind(_("回访:需求“%(t)s”的提出人表示%(view)s。"),
                                choices={"view": "jiceng.demands.models.CallbackResult"}),
    "department.follow_up_assigned": Kind(_("派给%(dept)s的稳商跟进:%(name)s,请于 %(d)s 前签收或退单。"),
                                          dates=("d",)),
    "department.follow_up_signed": Kind(_("%(dept)s已签收稳商跟进:%(name)s")),
    "department.follow_up_returned": Kind(_("%(dept)s退回稳商跟进:%(name)s。理由:%(reason)s")),
    "department.follow_up_sign_overdue": Kind(_("签收超时:%(dept)s未在 %(d)s 前签收稳商跟进“%(name)s”,已督办。"),
                                              dates=("d",)),
}


class UnknownKey(ValueError):
    pass


@dataclass(frozen=True)
class Later:
    """A translatable template with parameters, rendered when read (``later(_("…%(x)s…"), x=...)``)."""

    template: Promise
    params: dict[str, Any]


def later(template: Promise, **params: Any) -> Later:
    return Later(template, params)


@dataclass(frozen=True)
class Bilingual:
    """Reference data that carries both languages (the Chinese text, and the English when there is one)."""

    zh: str
    en: str = ""


def bilingual(zh: str, en: str = "") -> Bilingual:
    return Bilingual(zh or "", en or "")


def due(date: dt.date | None, provisional: bool = False) -> Any:
    """A deadline parameter: the ISO date, marked "provisional" in the reader's language when it is."""
    if date is None:
        return ""
    return later(PROVISIONAL_DATE, date=date.isoformat()) if provisional else date.isoformat()


def msgid(label: Promise | str) -> str:
    """The source (Chinese) text of a lazy translation, whatever the active language."""
    with translation.override(None):  # no catalogue: gettext answers the msgid itself
        return str(label)


def encode(value: Any) -> Any:
    """What a service passes → the JSON value stored."""
    if isinstance(value, Later):
        return {"t": msgid(value.template), "p": {k: encode(v) for k, v in value.params.items()}}
    if isinstance(value, Bilingual):
        return {"l": {SOURCE_LANGUAGE: value.zh, **({"en": value.en} if value.en else {})}}
    if isinstance(value, Promise):
        return {"t": msgid(value)}
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def encode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: encode(value) for name, value in params.items()}


def check(key: str, params: Mapping[str, Any]) -> Kind:
    """The kind of a key, after checking the template can be filled with these parameters (a wrong key or a
    missing parameter is a programming error, caught where the notification is made, not when it is read)."""
    kind = KINDS.get(key)
    if kind is None:
        raise UnknownKey(f"unknown notification key {key!r}; add it to jiceng.accounts.notifications.KINDS")
    msgid(kind.template) % {name: decode(value) for name, value in params.items()}
    return kind


def decode(value: Any) -> Any:
    """A stored value → what the template receives, in the active language."""
    if isinstance(value, dict):
        if "l" in value and isinstance(value["l"], dict):
            texts = value["l"]
            language = translation.get_language() or SOURCE_LANGUAGE
            for code in (language, language.split("-")[0], SOURCE_LANGUAGE):
                if texts.get(code):
                    return texts[code]
            return next(iter(texts.values()), "")
        if value.get("t"):  # gettext("") would answer the catalogue's header
            text = gettext(str(value["t"]))
            inner = value.get("p")
            if isinstance(inner, dict):
                values = {k: decode(v) for k, v in inner.items()}
                for template in (text, str(value["t"])):  # a broken translation: the source template
                    try:
                        return template % values
                    except (KeyError, TypeError, ValueError):
                        continue
                return str(value["t"])
            return text
        return ""
    return value


def render(key: str, params: Mapping[str, Any] | None, fallback: str = "", language: str | None = None) -> str:
    """The notification in the active language (or ``language``); the stored sentence when the key is unknown
    or a translation does not fit the parameters."""
    kind = KINDS.get(key or "")
    if kind is None:
        return fallback
    with translation.override(language) if language else nullcontext():
        values = {name: decode(value) for name, value in (params if isinstance(params, Mapping) else {}).items()}
        try:
            return str(kind.template) % values
        except (KeyError, TypeError, ValueError):  # a broken translation: the source template still fits
            try:
                return msgid(kind.template) % values
            except (KeyError, TypeError, ValueError):
                return fallback


def source_text(key: str, params: Mapping[str, Any]) -> str:
    """The sentence in the platform's default language, kept on the row (searching, e-mail, and old readers)."""
    return render(key, params, language=settings.LANGUAGE_CODE)


# --- converting sentences stored before keys existed -------------------------------------------------------------
_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _pattern(template: str) -> re.Pattern:
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        name, conversion = match.groups()
        parts.append(rf"(?P<{name}>-?\d+)" if conversion == "d" else rf"(?P<{name}>.+?)")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("^" + "".join(parts) + "$", re.DOTALL)


@cache
def _patterns() -> list[tuple[str, re.Pattern, frozenset[str]]]:
    """(key, pattern) for every key in Chinese and in every other configured language (sentences were written in
    the language of whoever caused them)."""
    out = []
    languages = [SOURCE_LANGUAGE, *(code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE)]
    for language in languages:
        for key, kind in KINDS.items():
            with translation.override(language):
                text = str(kind.template)
            numbers = frozenset(name for name, conversion in _PLACEHOLDER.findall(text) if conversion == "d")
            out.append((key, _pattern(text), numbers))
    return out


@cache
def _label_values(path: str) -> dict[str, dict]:
    """Every language's label of a TextChoices → its stored form {"t": msgid}."""
    choices = import_string(path)
    out = {}
    for label in choices.labels:
        for language in [SOURCE_LANGUAGE, *(code for code, _name in settings.LANGUAGES)]:
            with translation.override(language):
                out[str(label)] = {"t": msgid(label)}
    return out


def _date_value(text: str) -> Any:
    for language in [SOURCE_LANGUAGE, *(code for code, _name in settings.LANGUAGES)]:
        with translation.override(language):
            pattern = _pattern(str(PROVISIONAL_DATE))
        match = pattern.match(text)
        if match and re.fullmatch(r"\d{4}-\d{2}-\d{2}", match["date"]):
            return encode(later(PROVISIONAL_DATE, date=match["date"]))
    return text


@cache
def _action_values() -> dict[str, dict]:
    from jiceng.risk.defaults import PLAYBOOKS, PLAYBOOKS_EN

    out = {}
    for level, (action, _role, _days) in PLAYBOOKS.items():
        value = encode(bilingual(action, PLAYBOOKS_EN.get(level, "")))
        out[action] = value
        if PLAYBOOKS_EN.get(level):
            out[PLAYBOOKS_EN[level]] = value
    return out


def recognize(message: str) -> tuple[str, dict[str, Any]] | None:
    """An old notification's sentence → (key, params), or None when no template matches it (it keeps its text)."""
    for key, pattern, numbers in _patterns():
        match = pattern.match(message or "")
        if match is None:
            continue
        kind = KINDS[key]
        params: dict[str, Any] = {}
        for name, value in match.groupdict().items():
            if name in numbers:
                params[name] = int(value)
            elif name in kind.choices:
                params[name] = _label_values(kind.choices[name]).get(value, value)
            elif name in kind.dates:
                params[name] = _date_value(value)
            elif name in kind.actions:
                params[name] = _action_values().get(value, value)
            else:
                params[name] = value
        return key, params
    return None


def convert_rows(model, batch: int = 2000) -> int:
    """Give the rows without a key one where their sentence is recognized (data migration accounts/0004);
    ``message`` is kept. Returns how many were converted."""
    converted = 0
    last = 0
    while True:
        rows = list(model.objects.filter(key="", pk__gt=last).order_by("pk").only("pk", "message")[:batch])
        if not rows:
            return converted
        last = rows[-1].pk
        changed = []
        for row in rows:
            found = recognize(row.message)
            if found is not None:
                row.key, row.params = found
                changed.append(row)
        model.objects.bulk_update(changed, ["key", "params"], batch_size=500)
        converted += len(changed)


def rendered_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The parameters as the active language shows them (for API clients that build their own sentence)."""
    out = {}
    for name, value in (params or {}).items():
        value = decode(value)
        out[name] = value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
    return out

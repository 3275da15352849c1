"""Column specs shared by list pages and Excel exports, so both always show the same thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# What a column is on a phone, where each row of a list becomes a card (docs/decisions/044): the card shows the
# title (the link to the row's page), the status, the key fields with their labels and the actions; secondary
# columns are left to the desktop table and the Excel export.
TITLE = "title"
STATUS = "status"
KEY = "key"
ACTION = "action"
SECONDARY = "secondary"
KEY_FIELDS = 3  # key fields a card shows when a list names none: the card stays under ~160 px on a phone
STATUS_NAMES = ("status", "state")


@dataclass(frozen=True)
class Column:
    accessor: str | Callable[[Any], Any]
    label: str | Promise
    link: bool = False  # render as a link to the object's detail page
    role: str = ""  # TITLE, STATUS, KEY, ACTION or SECONDARY; "" lets card_roles() decide

    def value(self, obj: Any) -> Any:
        if callable(self.accessor):
            return self.accessor(obj)
        value: Any = obj
        for part in self.accessor.split("."):
            if value is None:
                return ""
            labels = choice_labels(type(value), part)
            value = getattr(value, part)
            if labels is not None:
                value = labels.get(value, value)
        if value is None:
            return ""
        return value


@cache
def choice_labels(model: type, name: str) -> dict | None:
    """value → label for a choice field, built once per field (get_FOO_display rebuilds it on every call)."""
    meta = getattr(model, "_meta", None)
    if meta is None:
        return None
    try:
        field = meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a model field (a property): no choices
        return None
    return dict(field.flatchoices) if getattr(field, "choices", None) else None


def card_roles(columns: list[Column]) -> list[str]:
    """Each column's role in the phone card. Explicit roles win; otherwise the first column (or the one marked
    `link`) is the title, a `status`/`state` field is the status, and the next KEY_FIELDS columns are the key
    fields, so a list that says nothing still becomes a readable card."""
    roles = [c.role for c in columns]
    if TITLE not in roles:
        linked = [i for i, c in enumerate(columns) if c.link and not roles[i]]
        first = linked[0] if linked else next((i for i, r in enumerate(roles) if not r), None)
        if first is not None:
            roles[first] = TITLE
    if STATUS not in roles:
        for i, c in enumerate(columns):
            name = c.accessor.rsplit(".", 1)[-1] if isinstance(c.accessor, str) else ""
            if not roles[i] and name in STATUS_NAMES:
                roles[i] = STATUS
                break
    explicit_keys = KEY in roles
    keys = 0
    for i, role in enumerate(roles):
        if role:
            continue
        if not explicit_keys and keys < KEY_FIELDS:
            roles[i] = KEY
            keys += 1
        else:
            roles[i] = SECONDARY
    return roles


def cell_text(value: Any) -> Any:
    """How a cell shows a value: 是/否 for booleans, minutes for date-times, ISO dates; the rest unchanged."""
    if value is True:
        return gettext("是")
    if value is False:
        return gettext("否")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")  # the same in every language: no format lookup per cell
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def table_rows(rows: list[tuple[Any, list[Any]]], columns: list[Column],
               roles: list[str]) -> list[SafeString]:
    """The body rows of a list page, built here rather than in the template: at 50 rows of 8–10 columns the
    template's per-cell lookups (and a lazy label translated again in every cell) cost more than the queries
    (docs/decisions/068). `rows` are (object, the columns' values). Each cell carries its column's label and
    phone role for the card layout (044)."""
    heads = [(conditional_escape(str(c.label)), conditional_escape(role))
             for c, role in zip(columns, roles, strict=True)]
    html = []
    for obj, values in rows:
        cells = []
        for value, (label, role) in zip(values, heads, strict=True):
            if role == TITLE:
                shown = format_html('<a href="{}">{}</a>', obj.get_absolute_url(), localize(value))
            else:
                shown = conditional_escape(localize(cell_text(value)))
            cells.append(f'<td data-role="{role}" data-label="{label}">{shown}</td>')
        html.append(mark_safe("<tr>" + "".join(cells) + "</tr>"))  # noqa: S308 - every part escaped above
    return html

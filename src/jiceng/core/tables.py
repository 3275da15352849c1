"""Column specs shared by list pages and Excel exports, so both always show the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    accessor: str | Callable[[Any], Any]
    label: str | Promise
    link: bool = False  # render as a link to the object's detail page

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

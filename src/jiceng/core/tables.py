"""Column specs shared by list pages and Excel exports, so both always show the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display else getattr(value, part)
        if value is None:
            return ""
        return value

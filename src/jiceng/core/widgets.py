"""Form widgets drawn in Python for the common kinds (inputs, selects, text areas).

Django draws each widget, and each option of a select, through its template engine: a list page's filter form
(ten fields, thirty options) cost ~10 ms of a 40 ms page, the largest share after the query. The renderer below
produces the same HTML as Django's own widget templates (django/forms/templates/django/forms/widgets/) for
those kinds, from the same context the widget builds, and hands every other template to the engine as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` autoescaped, as the templates write values."""
    return conditional_escape(value if isinstance(value, SafeString) else str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html: `False` leaves the attribute out, `True` writes its name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        name = conditional_escape(name)
        parts.append(f" {name}" if value is True else f' {name}="{_text(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
            f'{value}{_attrs(widget["attrs"])}>')


def _option(option: Mapping[str, Any]) -> str:
    label = conditional_escape(option["label"])
    return f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: Mapping[str, Any]) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != "django/forms/widgets/select_option.html":
                return None  # a custom option template: the engine draws the whole widget
            parts.append("\n  " + _option(option) + "\n")  # the option template ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


_INPUTS = ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search",
           "tel", "color", "checkbox")
DRAWN: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{kind}.html": _input for kind in _INPUTS},
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the common widgets drawn in Python (same HTML)."""

    def render(self, template_name: str, context: dict, request=None) -> str:
        draw = DRAWN.get(template_name)
        widget = context.get("widget") if draw is not None else None
        if widget is not None:
            html = draw(widget)
            if html is not None:
                return mark_safe(html)  # noqa: S308 - every value above went through conditional_escape
        return super().render(template_name, context, request=request)

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def add_class(field, css: str):
    input_type = getattr(field.field.widget, "input_type", "select")
    if input_type == "select":
        css = "form-select"
    elif input_type == "checkbox":
        css = "form-check-input"
    return field.as_widget(attrs={"class": css})


@register.filter
def cell(value):
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@register.filter
def get(mapping, key):
    """Dictionary lookup in templates: {{ mapping|get:key }}."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def visible_to(obj, user) -> bool:
    """{% if obj|visible_to:request.user %}<a href=…>{% endif %}: link only to pages the reader may open."""
    from jiceng.core.scoping import can_see

    return can_see(user, obj)


@register.filter
def label(obj, field_name: str):
    """{{ place|label:"kind" }}: what `get_kind_display` shows, from a table built once per field (Django's own
    rebuilds the choices and translates every label on each call: 0.2 ms, 0.4 s for a picker of 2,000 places)."""
    from jiceng.core.tables import choice_labels

    value = getattr(obj, field_name)
    labels = choice_labels(type(obj), field_name)
    return labels.get(value, value) if labels is not None else value

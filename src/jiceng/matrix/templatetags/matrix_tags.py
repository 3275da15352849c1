from django import template

from jiceng.matrix import tags

register = template.Library()


@register.filter
def cell_labels(mask) -> list[str]:
    return tags.cell_labels(mask)


@register.filter
def theme_labels(mask) -> list[str]:
    return tags.theme_labels(mask)

"""API fields for the tags: lists of codes in, lists of codes out, the bit mask in between."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .tags import THEMES, cell_choices, cell_codes, cells_mask, theme_codes, themes_mask


class FlagsListField(serializers.ListField):
    """`["employees:organize", …]` (cells) or `["service", …]` (themes); an unknown code is a 400 naming the
    field and the code."""

    def __init__(self, *, kind: str = "cells", **kwargs):
        self.kind = kind
        choices = [code for code, _label in cell_choices()] if kind == "cells" else list(THEMES)
        kwargs.setdefault("required", False)
        super().__init__(child=serializers.ChoiceField(choices=choices), **kwargs)

    def to_representation(self, value):
        if isinstance(value, int):
            return cell_codes(value) if self.kind == "cells" else theme_codes(value)
        return super().to_representation(value)

    def to_internal_value(self, data):
        codes = super().to_internal_value(data)
        try:
            return cells_mask(codes) if self.kind == "cells" else themes_mask(codes)
        except DjangoValidationError as exc:  # unreachable after the child's check; kept for direct callers
            raise serializers.ValidationError(exc.messages) from exc

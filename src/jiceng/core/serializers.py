"""Serializer base: the model's own clean() runs on API writes too, so rules live in one place."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .sanitize import strip_control_chars_in


class ModelCleanSerializer(serializers.ModelSerializer):
    def get_fields(self):
        """Related-object choices are limited to the requesting user's scope (others read as 'not found')."""
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                field.queryset = queryset.restrict(request.user)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        strip_control_chars_in(attrs)  # invisible control characters would break exports (core/sanitize.py)
        model = self.Meta.model
        # Only the stored fields: a prefetch may have added attributes (to_attr lists) the constructor refuses.
        instance = model(**{f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields}) \
            if self.instance is not None else model()
        if self.instance is not None:
            instance.pk = self.instance.pk
            instance._state.adding = False
        many_to_many = {f.name for f in model._meta.many_to_many}
        for key, value in attrs.items():
            if key not in many_to_many:
                setattr(instance, key, value)
        try:
            instance.full_clean(validate_unique=False, validate_constraints=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs


class CodeRelatedField(serializers.SlugRelatedField):
    """A related object named by its code. A code holding a NUL byte is refused as not found: PostgreSQL cannot
    compare text with NUL (the lookup would fail with a server error instead of a 400 naming the field)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\x00"))
        return super().to_internal_value(data)

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .sanitize import strip_control_chars_in


class MaskedPersonalDataMixin:
    """Personal data (the model's `personal_fields`: ID numbers, phones) is shown masked in model forms, to
    every role: a form's values are as readable as a page (the field's value attribute), so an edit form must
    not hand out what the detail page masks (docs/decisions/003 and 022; OWASP ASVS V8.3.4). Submitting the
    mask unchanged keeps the stored value; a new full value replaces it; a half-edited mask is refused with a
    message naming the field. Roles that may reveal full values do so on demand, audited (`RevealView`).
    """

    masked_fields: dict | None = None  # name -> masking function; default: the model's personal_fields

    def _mask_personal_data(self) -> None:
        maskers = self.masked_fields if self.masked_fields is not None else \
            getattr(self._meta.model, "personal_fields", {})
        self._stored_personal: dict[str, tuple[str, str]] = {}
        for name, masker in maskers.items():
            if name not in self.fields:
                continue
            stored = getattr(self.instance, name, "") or ""
            if stored:
                masked = masker(stored)
                self._stored_personal[name] = (stored, masked)
                self.initial[name] = masked

    def _keep_unchanged_personal_data(self, data: dict) -> dict:
        maskers = self.masked_fields if self.masked_fields is not None else \
            getattr(self._meta.model, "personal_fields", {})
        for name in maskers:
            value = data.get(name)
            if not isinstance(value, str) or "*" not in value:
                continue
            stored, masked = self._stored_personal.get(name, ("", ""))
            if masked and value.strip().upper() == masked.upper():
                data[name] = stored
            else:
                self.add_error(name, _("请填写完整的号码;保持掩码不变则沿用原号码。"))
        return data


class ScopedModelForm(MaskedPersonalDataMixin, forms.ModelForm):
    """A model form whose related-object choices are limited to the user's scope, personal data masked."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._mask_personal_data()
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if user is not None and queryset is not None and hasattr(queryset, "restrict"):
                field.queryset = queryset.restrict(user)
            if isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs.setdefault("class", "form-select")
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault("class", "form-control")
            if isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"
                field.widget.format = "%Y-%m-%d"

    def clean(self):
        cleaned_data = self._keep_unchanged_personal_data(super().clean())
        # Invisible control characters pasted into any text field would break exports (core/sanitize.py).
        strip_control_chars_in(cleaned_data)
        return cleaned_data


def add_service_errors(form: forms.Form, exc) -> None:
    """Show a service's ValidationError on the form: under the field it names, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)

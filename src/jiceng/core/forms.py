from __future__ import annotations

from django import forms

from .sanitize import strip_control_chars_in


class ScopedModelForm(forms.ModelForm):
    """A model form whose related-object choices are limited to the user's scope."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
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
        cleaned_data = super().clean()
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

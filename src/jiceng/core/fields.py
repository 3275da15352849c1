"""Model fields shared by every app."""

from django.db import models

from .dates import validate_plausible_date


class DateField(models.DateField):
    """A date within 1900–2100: out-of-range input is a typing mistake and would break date arithmetic."""

    default_validators = [validate_plausible_date]

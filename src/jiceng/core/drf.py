"""DRF plumbing referenced from settings (kept free of project imports to avoid import cycles)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class StandardPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Turn model validation and integrity errors into 400s that name the field, never a 500."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    elif isinstance(exc, OverflowError):
        exc = ValidationError(detail={"non_field_errors": ["请求中的数字超出范围。"]})
    elif isinstance(exc, IntegrityError):
        exc = ValidationError(detail={"non_field_errors": [str(exc).splitlines()[0]]})
    elif isinstance(exc, ValidationError) and isinstance(exc.detail, list):
        # `raise ValidationError("...")` in a view would answer a bare JSON list; every 400 is an object
        # keyed by field (the schema's ValidationError), so a client reads errors one way.
        exc = ValidationError(detail={"non_field_errors": exc.detail})
    return drf_exception_handler(exc, context)


def as_drf_error(exc: DjangoValidationError) -> ValidationError:
    """A model/service ValidationError as DRF's, keeping the field names (400 with {field: [messages]})."""
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class ClientAddressThrottleMixin:
    """For DRF throttles: identify anonymous clients by jiceng.core.network.client_ip.

    DRF's own get_ident() takes X-Forwarded-For from any client unless NUM_PROXIES is set, so a client could pick a
    fresh identity per request; this uses the same trusted-proxy rule as the rest of the application.
    """

    def get_ident(self, request):
        from jiceng.core.network import client_ip

        return client_ip(request) or ""

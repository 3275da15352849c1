"""The OpenAPI schema as clients see it: every operation documents the answers it can give, exactly.

drf-spectacular documents only the success answer of each operation, so a client that checks responses against
the schema (schemathesis' `status_code_conformance`, generated clients) finds 400s, 403s and 404s the schema never
mentions. `AutoSchema` adds them from what the view itself does, so the schema stays precise rather than generic:

- 400 `ValidationError` when the operation takes query parameters (filters, search, ordering, its own
  parameters), on every write (POST, PUT, PATCH: the input or a business rule of the model or service can be
  refused) and on a DELETE the view may refuse (rows still refer to the object). The body names the field
  (`{"field": ["message"]}`, `non_field_errors` for the whole input); a body that is not valid JSON gets
  `{"detail": "..."}`.
- 401 and 403 `ErrorDetail` unless the view lets anyone in: no or a wrong token (401), a role that may not (403).
- 404 `ErrorDetail` when the path names an object (it does not exist or is outside the caller's scope: the scope
  rule in docs/permissions.md answers 404, never 403, so that an object's existence does not leak) and on
  paginated lists (`?page=` beyond the last page).
- 429 on writes comes from the write limit's own hook (`core/throttling.document_throttled_writes`), with its
  Retry-After header; reads are never limited.

A view that answers an error for another reason declares it itself with `NOT_FOUND` (for example `/api/me/` for
a user who is not a member). `tests/test_api_conformance.py` holds the API to the schema: every answer must be
documented, with the documented body.

Times of day (`TimeField`) are local wall-clock times without an offset ("09:00", "19:00:00"): RFC 3339's
`partial-time`, not JSON Schema's `time` format, which requires an offset and so rejected every answer.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import mixins, permissions, serializers

# {"detail": "..."}: DRF's body for every error other than a validation error.
ErrorDetailSerializer = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})

NOT_FOUND_TEXT = "不存在或不在您的管辖范围内 / not found or outside your scope"
NOT_FOUND = OpenApiResponse(ErrorDetailSerializer, description=NOT_FOUND_TEXT)

VALIDATION_ERROR = {
    "type": "object",
    "description": "字段名 → 错误信息列表（`non_field_errors` 为整体错误；请求体无法解析时为 `detail`）。"
                   " Field name → list of messages (`non_field_errors` for the whole input; `detail` when the "
                   "body could not be parsed).",
    "additionalProperties": {},
}

# HH:MM, HH:MM:SS or HH:MM:SS.ffffff (what DRF's TimeField writes and reads), no offset.
PARTIAL_TIME = {"type": "string", "format": "partial-time",
                "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"}


def _open_to_anyone(view) -> bool:
    return all(isinstance(p, permissions.AllowAny) for p in view.get_permissions())


def _may_refuse_delete(view) -> bool:
    """A view that overrides `perform_destroy` refuses some deletions with a 400 (see core/api.py)."""
    perform_destroy = getattr(type(view), "perform_destroy", None)
    return perform_destroy is not None and perform_destroy is not mixins.DestroyModelMixin.perform_destroy


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            schema.update(PARTIAL_TIME)
        return schema

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:  # excluded from the schema
            return None
        responses = operation["responses"]

        def add(code: str, body, description: str) -> None:
            if code not in responses:
                responses[code] = {**self._get_response_for_code(body, code), "description": description}

        validation_error = ResolvedComponent(name="ValidationError", type=ResolvedComponent.SCHEMA,
                                             schema=VALIDATION_ERROR, object="ValidationError")
        self.registry.register_on_missing(validation_error)
        takes_query = any(p["in"] == "query" for p in operation.get("parameters", ()))
        writes = self.method in ("POST", "PUT", "PATCH") or (self.method == "DELETE" and _may_refuse_delete(self.view))
        if takes_query or writes:
            add("400", validation_error.ref, "输入有误（指明字段） / invalid input, naming the field")
        if not _open_to_anyone(self.view):
            add("401", ErrorDetailSerializer, "未登录或令牌无效 / not authenticated")
            add("403", ErrorDetailSerializer, "无权进行此操作 / not permitted")
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):
            add("404", ErrorDetailSerializer, NOT_FOUND_TEXT)
        return operation

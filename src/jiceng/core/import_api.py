"""Excel import over the API: POST multipart `file` (and `?dry_run=1` to validate only).

Same all-or-nothing rules as the web import: 400 with every error (row, column, reason) and nothing
imported, or 201 with the number of rows created (200 for a dry run, which creates nothing).
"""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.permissions import can_write
from jiceng.enterprises.importing import ENTERPRISE_IMPORT
from jiceng.members.importing import MEMBER_IMPORT

from .import_views import audit_import, audit_refused_import, refusal_reason, too_large_message
from .importing import MAX_FILE_BYTES, ImportFileError, ImportSpec, commit, read_rows, validate

_TRUE = {"1", "true", "yes", "on"}


def _errors(errors: list[dict], count: int | None = None) -> Response:
    return Response({"errors": errors, "error_count": len(errors) if count is None else count},
                    status=status.HTTP_400_BAD_REQUEST)


class ImportAPIView(APIView):
    """Base view; use `import_api_view(spec)` to make one per model."""

    spec: ImportSpec | None = None
    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [IsAuthenticated]

    def refuse(self, request, reason, filename: str = "") -> Response:
        audit_refused_import(request, self.spec, reason, filename, via="api")
        return _errors([{"row": None, "column": "file", "reason": str(reason)}])

    def handle(self, request):
        if not can_write(request.user, self.spec.model):
            raise PermissionDenied(_("您的角色无权导入%(model)s。") % {"model": self.spec.verbose_name})
        upload = request.FILES.get("file")
        if upload is None:
            return self.refuse(request, _("请上传 .xlsx 文件(字段名 file)。"))
        if upload.size > MAX_FILE_BYTES:
            return self.refuse(request, too_large_message(), upload.name)
        dry_run = str(request.query_params.get("dry_run", "")).strip().lower() in _TRUE
        try:
            result = validate(self.spec, read_rows(upload), request.user)
        except ImportFileError as exc:
            return self.refuse(request, exc.message, upload.name)
        if not result.ok:
            audit_refused_import(request, self.spec, refusal_reason(result), upload.name, via="api")
            return _errors([error.as_dict() for error in result.errors], result.error_count)
        if dry_run:
            return Response({"created": 0, "valid": len(result.instances), "dry_run": True})
        try:
            with transaction.atomic():
                created = commit(result)
                audit_import(request, self.spec, created, upload.name, via="api")
        except DatabaseError:
            reason = _("导入时数据已发生变化(例如有人同时录入了相同的代码),未导入任何数据,请重试。")
            audit_refused_import(request, self.spec, reason, upload.name, via="api")
            return _errors([{"row": None, "column": "", "reason": str(reason)}])
        return Response({"created": created, "valid": created, "dry_run": False}, status=status.HTTP_201_CREATED)


def import_api_view(spec: ImportSpec) -> type[ImportAPIView]:
    """An APIView class importing `spec`'s model, with its OpenAPI description."""
    name = spec.model.__name__
    error_item = inline_serializer(f"{name}ImportError", {
        "row": serializers.IntegerField(allow_null=True, help_text="Row number as in Excel (header = 1)"),
        "column": serializers.CharField(help_text="Column header"),
        "reason": serializers.CharField(),
    })
    ok = inline_serializer(f"{name}ImportResult", {
        "created": serializers.IntegerField(),
        "valid": serializers.IntegerField(),
        "dry_run": serializers.BooleanField(),
    })
    failed = inline_serializer(f"{name}ImportErrors", {
        "errors": serializers.ListField(child=error_item),
        "error_count": serializers.IntegerField(),
    })

    @extend_schema(
        operation_id=f"{spec.model._meta.model_name}_import",
        summary=f"Import {spec.model._meta.verbose_name_plural} from an Excel file (all or nothing)",
        request={"multipart/form-data": inline_serializer(f"{name}ImportUpload", {"file": serializers.FileField()})},
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                                     description="Validate only; nothing is created.")],
        responses={200: ok, 201: ok, 400: failed},
    )
    def post(self, request, *args, **kwargs):
        return self.handle(request)

    return type(f"{name}ImportAPIView", (ImportAPIView,), {
        "spec": spec, "post": post, "__module__": __name__,
        "__doc__": f"Import {spec.model._meta.verbose_name_plural} from an .xlsx file made from the template.",
    })


EnterpriseImportAPIView = import_api_view(ENTERPRISE_IMPORT)
MemberImportAPIView = import_api_view(MEMBER_IMPORT)

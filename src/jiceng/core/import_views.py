"""Excel import pages, generic over an `ImportSpec`: template download, upload → preview, confirm.

The uploaded file is kept under MEDIA_ROOT/imports/<uuid>.xlsx between the preview and the confirm
(the token is remembered in the session, so only the uploader can confirm it), validated again on
confirm (the data may have changed meanwhile), imported in one transaction and then deleted.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from jiceng.accounts.models import AuditEvent
from jiceng.accounts.permissions import can_write

from . import audit
from .excel import XLSX
from .importing import (
    MAX_FILE_BYTES,
    ImportFileError,
    ImportResult,
    ImportSpec,
    commit,
    read_rows,
    template_workbook,
    validate,
)
from .sanitize import strip_control_chars

SESSION_KEY = "jiceng_imports"
STALE_SECONDS = 24 * 3600  # uploads never confirmed are removed after a day


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(token: str) -> Path | None:
    """The stored upload for a token, or None when the token is not a UUID (no path tricks)."""
    try:
        return import_dir() / f"{uuid.UUID(str(token)).hex}.xlsx"
    except ValueError:
        return None


def remove_stale_uploads(now: float | None = None) -> None:
    cutoff = (now or time.time()) - STALE_SECONDS
    for path in import_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _one_line(text: str, limit: int) -> str:
    """Text from the client (a file name, a message quoting cells) as one line of at most `limit` characters."""
    text = " ".join(strip_control_chars(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def audit_import(request, spec: ImportSpec, created: int, filename: str = "", via: str = "web") -> None:
    audit.record(request, AuditEvent.Action.IMPORT, object_type=spec.model._meta.label_lower,
                 detail=f"rows={created}; file={_one_line(filename, 200)}; via={via}")


def refusal_reason(result: ImportResult) -> str:
    """A validation failure in one line for the audit log: how many errors, and the first few."""
    first = "; ".join(f"row {e.row} {e.column}: {e.reason}" for e in result.errors[:3])
    return f"{result.error_count} error(s): {first}"


def audit_refused_import(request, spec: ImportSpec, reason, filename: str = "", via: str = "web") -> None:
    """Record a refused import (who, which file, why): an upload that writes nothing is still an event."""
    audit.record(request, AuditEvent.Action.IMPORT, object_type=spec.model._meta.label_lower,
                 detail=f"refused; rows=0; file={_one_line(filename, 200)}; via={via}; "
                        f"reason={_one_line(str(reason), 1000)}")


def too_large_message() -> str:
    return _("文件过大(上限 %(size)s MB),请分批导入。") % {"size": MAX_FILE_BYTES // (1024 * 1024)}


class ImportMixin(LoginRequiredMixin):
    """`spec` and `url_prefix` ("app:model", naming the list and the three import routes) per model."""

    spec: ImportSpec | None = None
    url_prefix: str = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, self.spec.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def url(self, suffix: str) -> str:
        return reverse(f"{self.url_prefix}_{suffix}")

    def context(self, **extra) -> dict:
        opts = self.spec.model._meta
        ctx = {
            "opts": opts,
            "spec": self.spec,
            "columns": [column.label for column in self.spec.columns],
            "required_columns": [column.label for column in self.spec.columns if column.required],
            "list_url": self.url("list"),
            "upload_url": self.url("import"),
            "template_url": self.url("import_template"),
            "confirm_url": self.url("import_confirm"),
        }
        ctx.update(extra)
        return ctx

    def render_upload(self, request, error=None, status: int = 200) -> HttpResponse:
        return render(request, "core/import_upload.html", self.context(error=error), status=status)

    def refuse(self, request, message, filename: str = "") -> HttpResponse:
        """The upload page again with `message`, the refusal audited."""
        audit_refused_import(request, self.spec, message, filename)
        return self.render_upload(request, message, status=400)

    def render_result(self, request, result: ImportResult, token: str = "", filename: str = "") -> HttpResponse:
        ctx = self.context(result=result, token=token, filename=filename,
                           preview_rows=result.preview() if result.ok else [])
        return render(request, "core/import_preview.html", ctx, status=200 if result.ok else 400)

    # The session remembers which uploads this user may confirm, and for which model.
    def remember(self, request, token: str, filename: str, rows: int) -> None:
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"model": self.spec.model._meta.label_lower, "filename": filename, "rows": rows}
        request.session[SESSION_KEY] = pending

    def forget(self, request, token: str) -> dict | None:
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        return entry


class ImportTemplateView(ImportMixin, View):
    def get(self, request):
        response = HttpResponse(content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{self.spec.model._meta.model_name}_import.xlsx"'
        template_workbook(self.spec).save(response)
        return response


class ImportUploadView(ImportMixin, View):
    def get(self, request):
        return self.render_upload(request)

    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return self.refuse(request, _("请选择要上传的 Excel 文件。"))
        if not upload.name.lower().endswith(".xlsx"):
            return self.refuse(request, _("请上传 .xlsx 格式的 Excel 文件(可先下载导入模板)。"), upload.name)
        if upload.size > MAX_FILE_BYTES:
            return self.refuse(request, too_large_message(), upload.name)
        remove_stale_uploads()
        token = uuid.uuid4().hex
        path = stored_path(token)
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            result = validate(self.spec, read_rows(path), request.user)
        except ImportFileError as exc:
            path.unlink(missing_ok=True)
            return self.refuse(request, exc.message, upload.name)
        if not result.ok:
            path.unlink(missing_ok=True)
            audit_refused_import(request, self.spec, refusal_reason(result), upload.name)
            return self.render_result(request, result, filename=upload.name)
        self.remember(request, token, upload.name, result.total_rows)
        return self.render_result(request, result, token=token, filename=upload.name)


class ImportConfirmView(ImportMixin, View):
    def post(self, request):
        token = request.POST.get("token", "")
        path = stored_path(token)
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.get(token)
        if path is None or entry is None or entry.get("model") != self.spec.model._meta.label_lower \
                or not path.exists():
            messages.error(request, _("导入已过期或不存在,请重新上传文件。"))
            return redirect(self.url("import"))
        self.forget(request, token)
        filename = entry.get("filename", "")
        try:
            if "cancel" in request.POST:
                messages.info(request, _("已取消导入。"))
                return redirect(self.url("import"))
            try:
                result = validate(self.spec, read_rows(path), request.user)
            except ImportFileError as exc:
                return self.refuse(request, exc.message, filename)
            if not result.ok:
                audit_refused_import(request, self.spec, refusal_reason(result), filename)
                return self.render_result(request, result, filename=filename)
            try:
                with transaction.atomic():
                    created = commit(result)
                    audit_import(request, self.spec, created, filename)
            except DatabaseError:
                message = _("导入时数据已发生变化(例如有人同时录入了相同的代码),未导入任何数据,请重新上传。")
                audit_refused_import(request, self.spec, message, filename)
                messages.error(request, message)
                return redirect(self.url("import"))
        finally:
            path.unlink(missing_ok=True)
        messages.success(request, _("已导入 %(count)s 条%(model)s。") % {"count": created,
                                                                       "model": self.spec.model._meta.verbose_name})
        return redirect(self.url("list"))

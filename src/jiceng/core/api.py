"""The scoped viewset base that every API endpoint uses."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from jiceng.accounts.permissions import ScopedWritePermission


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Every API list/detail goes through `restrict(user)`: out of scope is 404.

    Writes need an editing role (the model's `edit_roles`) and must leave the object in scope.
    """

    base_queryset = None
    permission_classes = [ScopedWritePermission]

    def get_queryset(self):
        return self.base_queryset.restrict(self.request.user)

    def _save_in_scope(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            if not self.get_queryset().filter(pk=instance.pk).exists():
                raise ValidationError({"non_field_errors": [_("保存后的对象不在您的管辖范围内。")]})

    def perform_create(self, serializer):
        self._save_in_scope(serializer)

    def perform_update(self, serializer):
        self._save_in_scope(serializer)

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as exc:
            raise ValidationError({"non_field_errors": [_("仍有关联数据,不能删除。")]}) from exc

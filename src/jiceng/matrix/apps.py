from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatrixConfig(AppConfig):
    """No models of its own: the tags are columns of activities and projects (docs/decisions/063)."""

    name = "jiceng.matrix"
    verbose_name = _("党建矩阵")

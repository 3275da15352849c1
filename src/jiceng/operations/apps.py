from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Orchestration that spans the domain apps: the demo district, `jiceng seed`, `jiceng bench`, backup and
    restore. It lives above the domain apps so that `jiceng.core`, which they all build on, imports none of them."""

    name = "jiceng.operations"
    verbose_name = _("运维")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "jiceng.risk"
    verbose_name = _("稳商风险分析")

    def ready(self) -> None:
        from jiceng.demands import visits

        from .services import handle_visit

        # A visit's risk findings become signals and trigger a recompute of that enterprise.
        if handle_visit not in visits.VISIT_HANDLERS:
            visits.VISIT_HANDLERS.append(handle_visit)

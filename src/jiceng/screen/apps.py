from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreenConfig(AppConfig):
    name = "jiceng.screen"
    verbose_name = _("大屏")

    def ready(self) -> None:
        from . import rollups

        rollups.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The 工作台 (home page) of every role: it reads from all the domain apps, so it sits above them, like
    `jiceng.operations`, and `jiceng.core` (which every domain app builds on) imports none of them."""

    name = "jiceng.workbench"
    verbose_name = _("工作台")

    def ready(self) -> None:
        from .services import OVERVIEW_WATCHES, OVERVIEWS, STREET_PANELS, STREET_WATCHES, street_parts

        OVERVIEWS.watch(*OVERVIEW_WATCHES)
        STREET_PANELS.watch(street_parts, *STREET_WATCHES)

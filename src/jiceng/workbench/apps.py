from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The 工作台 (home page) of every role: it reads from all the domain apps, so it sits above them, like
    `jiceng.operations`, and `jiceng.core` (which every domain app builds on) imports none of them."""

    name = "jiceng.workbench"
    verbose_name = _("工作台")

    def ready(self) -> None:
        from jiceng.places.models import subtree_moved

        from .services import OVERVIEW_WATCHES, OVERVIEWS, STREET_PANELS, STREET_WATCHES, moved_parts, street_parts

        OVERVIEWS.watch(*OVERVIEW_WATCHES)
        STREET_PANELS.watch(street_parts, *STREET_WATCHES)
        # A moved subtree takes its rows (moved with update(), no signal) from one street to another.
        subtree_moved.connect(lambda sender, places, old_path, **kw: STREET_PANELS.touch(moved_parts(places, old_path)),
                              weak=False, dispatch_uid="workbench-subtree-moved")

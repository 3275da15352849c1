from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The 工作台 (home page) of every role: it reads from all the domain apps, so it sits above them, like
    `jiceng.operations`, and `jiceng.core` (which every domain app builds on) imports none of them."""

    name = "jiceng.workbench"
    verbose_name = _("工作台")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .services import OVERVIEW_WATCHES, OVERVIEWS, STREET_WATCHES, street_parts_touched

        OVERVIEWS.watch(*OVERVIEW_WATCHES)
        for sender in STREET_WATCHES:
            for signal in (post_save, post_delete):
                signal.connect(street_parts_touched, sender=sender, weak=False,
                               dispatch_uid=f"workbench-street-{signal is post_save}-{sender}")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "jiceng.members"
    verbose_name = _("党员")

    def ready(self) -> None:
        from .pioneer import BOARDS, WATCHED

        BOARDS.watch(*WATCHED)  # what a pioneer score reads: a write retires the boards computed before it

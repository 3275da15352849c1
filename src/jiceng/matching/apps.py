from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "jiceng.matching"
    verbose_name = _("三张清单与双向认领")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jiceng.accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from .identity import connect

        connect()

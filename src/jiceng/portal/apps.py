from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal: no-login pages for white-collar workers and residents (a page per building with its
    QR poster, the public activity list). It reads the domain apps and owns no models."""

    name = "jiceng.portal"
    verbose_name = _("公众门户")

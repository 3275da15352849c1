from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The reports that go upward (上报报表): party statistics, the three lists' year, the demands' year.

    Above the domain apps like operations/ and workbench/: it reads members, organizations, enterprises, the
    three lists and demands, and owns no table."""

    name = "jiceng.reports"
    verbose_name = _("上报报表")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "jiceng.departments"
    verbose_name = _("职能部门")

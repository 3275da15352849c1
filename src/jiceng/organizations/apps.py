from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "jiceng.organizations"
    verbose_name = _("党组织")

    def ready(self) -> None:
        from jiceng.places.models import subtree_moved

        from .models import Organization

        subtree_moved.connect(lambda sender, places, **kw: Organization.resync_location(places), weak=False)

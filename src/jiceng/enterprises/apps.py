from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "jiceng.enterprises"
    verbose_name = _("两新组织")

    def ready(self) -> None:
        from jiceng.places.models import subtree_moved

        from .models import Enterprise

        subtree_moved.connect(lambda sender, places, **kw: Enterprise.resync_location(places), weak=False)

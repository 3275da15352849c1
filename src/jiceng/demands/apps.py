from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "jiceng.demands"
    verbose_name = _("需求")

    def ready(self) -> None:
        from jiceng.places.models import subtree_moved

        from .models import Demand, Visit

        # Demands and visits copy their place's district and street for scoping; a moved subtree brings them.
        subtree_moved.connect(lambda sender, places, **kw: (Demand.resync_location(places),
                                                            Visit.resync_location(places)),
                              weak=False, dispatch_uid="demands-resync")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "jiceng.stations"
    verbose_name = _("党群服务阵地")

    def ready(self) -> None:
        from jiceng.places.models import subtree_moved

        from .models import Station

        # Stations copy their place's district and street for scoping; a moved subtree brings them along.
        subtree_moved.connect(lambda sender, places, **kw: Station.resync_location(places),
                              weak=False, dispatch_uid="stations-resync")

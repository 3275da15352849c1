from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "jiceng.governance"
    verbose_name = _("楼宇治理")

    def ready(self) -> None:
        from jiceng.demands.workflow import register_router
        from jiceng.places.models import subtree_moved

        from . import services
        from .models import Alliance, Council

        # 有事找楼长: a demand at a building with a head goes to the head first (docs/decisions/052).
        register_router(services.route_demand)
        # Councils and alliances copy their place's district and street for scoping; a moved subtree brings them.
        subtree_moved.connect(lambda sender, places, **kw: (Council.resync_location(places),
                                                            Alliance.resync_location(places)),
                              weak=False, dispatch_uid="governance-resync")

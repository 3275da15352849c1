from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "jiceng.grids"
    verbose_name = _("网格与联系户")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as label

        from jiceng.places.models import subtree_moved
        from jiceng.stations.maplayers import Layer, register

        from .maplayer import build_grids
        from .models import Grid, HouseholdContact, RenovationProject

        # Grids, households and projects copy their place's district and street for scoping; a moved subtree
        # brings them along.
        subtree_moved.connect(lambda sender, places, **kw: [model.resync_location(places) for model in
                                                            (Grid, HouseholdContact, RenovationProject)],
                              weak=False, dispatch_uid="grids-resync")
        register(Layer("grids", label("微网格"), build_grids, after="gaps"))

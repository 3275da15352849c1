from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "jiceng.venues"
    verbose_name = _("阵地共享")

    def ready(self) -> None:
        from jiceng.places.models import subtree_moved

        from .models import Room

        # Rooms copy their place's district and street for scoping; a moved subtree brings them along.
        subtree_moved.connect(lambda sender, places, **kw: Room.resync_location(places), weak=False,
                              dispatch_uid="venues-resync-room")

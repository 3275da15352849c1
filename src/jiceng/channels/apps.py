from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "jiceng.channels"
    label = "channels"
    verbose_name = _("通知渠道")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from jiceng.demands.models import Demand

        from . import events

        # A new demand is a street-level event: the street's WeCom robot hears of it (events.py, decision 072).
        post_save.connect(events.demand_saved, sender=Demand, weak=False, dispatch_uid="channels-new-demand")

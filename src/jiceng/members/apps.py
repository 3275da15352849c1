from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "jiceng.members"
    verbose_name = _("党员")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .pioneer import data_changed

        # What a pioneer score reads: a write to any of these retires the boards computed before it.
        for sender in ("activities.Attendance", "activities.Activity", "activities.Rating", "matching.Project",
                       "members.Member", "members.PioneerWeight", "organizations.Organization"):
            for signal in (post_save, post_delete):
                signal.connect(data_changed, sender=sender, weak=False,
                               dispatch_uid=f"pioneer-boards-{signal is post_save}-{sender}")

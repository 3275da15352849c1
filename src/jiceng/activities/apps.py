from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "jiceng.activities"
    verbose_name = _("组织生活与活动")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from jiceng.members.inactivity import register_source
        from jiceng.places.models import subtree_moved

        from .models import Activity, Attendance, Club, Series, recount_attendance
        from .services import attendance_since, latest_attendance

        for model in (Activity, Club, Series):
            subtree_moved.connect(lambda sender, places, model=model, **kw: model.resync_location(places),
                                  weak=False, dispatch_uid=f"activities-resync-{model.__name__}")
        # An attendance row saved or deleted (a check-in, the admin, a member's cascade) recounts its activity.
        def recount(sender, instance, **kw):
            recount_attendance(Activity.objects.filter(pk=instance.activity_id))

        post_save.connect(recount, sender=Attendance, weak=False, dispatch_uid="activities-attendance-saved")
        post_delete.connect(recount, sender=Attendance, weak=False, dispatch_uid="activities-attendance-deleted")
        # The six-month rule: attending organizational life is one of the sources the report checks.
        register_source("attendance", _("参加组织生活"), latest_attendance, attendance_since)
        from .compliance import REPORTS, WATCHED

        REPORTS.watch(*WATCHED)  # what the 三会一课 report reads: a write retires the reports computed before it

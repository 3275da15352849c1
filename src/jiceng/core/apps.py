from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiceng.core"
    verbose_name = _("公共")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(refresh_statistics, sender=self)


def refresh_statistics(using="default", **kwargs) -> None:
    """Migrations that rebuild SQLite tables drop the planner's statistics; without them SQLite picks poor
    indexes at city scale. `PRAGMA optimize` re-analyzes only what needs it, so this is cheap when nothing
    changed."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")

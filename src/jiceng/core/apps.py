from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiceng.core"
    verbose_name = _("公共")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        # Sent once per application that has models (this one has none): hang it on one that always has.
        post_migrate.connect(refresh_statistics, sender=apps.get_app_config("contenttypes"))
        # A migrate or flush (a restore, a new database file) may bring ids back that the kept results and cached
        # sessions name: they are forgotten (core.reuse.forget_kept).
        from .reuse import forget_kept

        post_migrate.connect(forget_kept, sender=apps.get_app_config("contenttypes"), dispatch_uid="forget-kept")


def refresh_statistics(using="default", **kwargs) -> None:
    """Migrations that rebuild SQLite tables drop the planner's statistics; without them SQLite picks poor
    indexes at city scale (the superuser's demand list: 0.12 s with them, 8 s without, after a migration that
    altered a column). In a database analyzed before, each table that has rows and no statistics is analyzed
    again; `PRAGMA optimize` looks after the rest, and both are cheap when nothing changed."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
            analyzed = {row[0] for row in cursor.fetchall()}
            for table in connection.introspection.table_names(cursor):
                if table in analyzed:
                    continue
                quoted = connection.ops.quote_name(table)  # a name from the database's own catalogue
                cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    cursor.execute(f"ANALYZE {quoted}")
        cursor.execute("PRAGMA optimize")

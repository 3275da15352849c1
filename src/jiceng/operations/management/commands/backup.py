"""`jiceng backup FILE`: the whole database as a gzipped JSON fixture (any backend; restore with `jiceng restore`).

For large production databases use the database's own tools as well (pg_dump, or sqlite3 .backup); this format
moves between SQLite and PostgreSQL.
"""

import gzip
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrations or per session; restoring them would conflict with what migrate already wrote.
# The screen's roll-ups are derived from the demands: `jiceng restore` recounts them (decision 057).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "screen"]


class Command(BaseCommand):
    help = "Write the whole database to FILE (gzipped JSON)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        with gzip.open(path, "wt", encoding="utf-8") as out:
            call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, stdout=out, verbosity=0)
        self.stdout.write(f"backup written: {path} ({path.stat().st_size:,} bytes)")

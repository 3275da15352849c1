"""`jiceng restore FILE`: replace the database's contents with a `jiceng backup` file, in one transaction."""

import gzip
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Replace all data with the contents of a backup FILE made by `jiceng backup`."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, file, yes, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        if not yes and input("Replace ALL data with the backup? [y/N] ").strip().lower() != "y":
            raise CommandError("cancelled")
        call_command("migrate", interactive=False, verbosity=0)
        with tempfile.TemporaryDirectory() as tmp:
            fixture = Path(tmp) / "backup.json"
            with gzip.open(path, "rt", encoding="utf-8") as src, fixture.open("w", encoding="utf-8") as dst:
                for chunk in iter(lambda: src.read(1 << 20), ""):
                    dst.write(chunk)
            with transaction.atomic():
                call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(fixture), verbosity=0)
                # Loading sends raw saves, which the roll-ups ignore: recount them from the restored demands.
                from jiceng.screen import rollups

                rollups.rebuild()
            # The restored rows reuse ids that kept identities, results and cached sessions may name.
            from jiceng.core.reuse import forget_kept

            forget_kept()
        self.stdout.write(f"restored from {path}")

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiceng.core.serving import close_all_connections, pooled_server, run_gunicorn


class Command(BaseCommand):
    help = "Serve the configured database (migrates first). Production: gunicorn, see docs/deploy.md."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=0,
                            help="Serve with gunicorn and this many workers (0: the built-in threaded server).")
        parser.add_argument("--threads", type=int, default=None,
                            help="Request threads of the built-in server (default 8), or of each gunicorn worker "
                                 "with --workers (gthread, default 2; 1: sync workers). Each holds at most one "
                                 "database connection.")

    def handle(self, *args, host, port, workers, threads, **options):
        call_command("migrate", interactive=False, verbosity=0)
        # migrate leaves its connection open (CONN_MAX_AGE): gunicorn's workers would inherit and share it.
        close_all_connections()
        if workers:
            # Two threads: an open big screen holds one and the other keeps serving. More threads per worker gave
            # less throughput under wrk (the street officer's mix on PostgreSQL: 72 requests/s with sync workers,
            # 58–61 with two threads, 54 with eight), as they share one interpreter lock (docs/deploy.md).
            run_gunicorn(host=host, port=port, workers=workers, threads=max(1, threads or 2))
            return
        from django.contrib.staticfiles.management.commands.runserver import Command as Runserver

        runserver = Runserver()
        runserver.server_cls = pooled_server(max(1, threads or 8))
        self.stdout.write(f"Jiceng on http://{host}:{port}/")
        call_command(runserver, f"{host}:{port}", use_reloader=False, use_threading=False, insecure_serving=True)

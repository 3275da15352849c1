import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the configured database (migrates first). Production: gunicorn, see docs/deploy.md."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=0,
                            help="Serve with gunicorn and this many workers (0: the built-in threaded server).")

    def handle(self, *args, host, port, workers, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if workers:
            from gunicorn.app.wsgiapp import run

            sys.argv = ["gunicorn", "jiceng.wsgi:application", "--bind", f"{host}:{port}", "--workers",
                        str(workers), "--access-logfile", "-",
                        # API keys masked in the access log (a URL may carry one; core/logmask.py)
                        "--logger-class", "jiceng.core.logmask.GunicornLogger"]
            run()
            return
        self.stdout.write(f"Jiceng on http://{host}:{port}/")
        call_command("runserver", f"{host}:{port}", use_reloader=False, insecure_serving=True)

"""How `jiceng serve` runs the application: gunicorn workers, or a bounded pool of threads.

Database connections are per process and per thread in Django. Two rules keep them sound here:
- nothing may be inherited across a fork: a PostgreSQL connection is a socket, and processes sharing one
  interleave their protocol messages, so one request reads another's rows (PostgreSQL's libpq documentation:
  "a connection must not be shared between processes"). The master closes every connection before gunicorn
  forks, and each worker drops whatever it may have inherited before serving;
- the threaded server serves each request on one of a fixed number of threads, so there are at most that many
  connections (each thread keeps its own for CONN_MAX_AGE), never one per request.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.core.servers.basehttp import WSGIServer
from django.db import connections


def close_all_connections() -> None:
    """Close every database connection this thread holds (before a fork, after migrate)."""
    connections.close_all()


def post_fork(server, worker) -> None:
    """gunicorn hook, in each worker right after the fork: start with no inherited connection.

    `jiceng serve` already closed them in the master; this also covers a master that opened one anyway
    (gunicorn `--preload`, a plugin). The inherited socket is abandoned, not closed: closing it would send
    PostgreSQL a termination message on a socket another process may still use.
    """
    from django.conf import settings

    if not settings.configured:
        return  # the application is not loaded yet: nothing can have been opened
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            _abandoned.append(conn.connection)  # kept referenced: never finalized (or terminated) here
            conn.connection = None
            conn.close_at = None


_abandoned: list = []


class PooledWSGIServer(WSGIServer):
    """Django's development WSGI server with a fixed pool of request threads instead of one per connection.

    It is not a ThreadingMixIn, so Django's handler answers `Connection: close`: a thread is busy for one
    request, never held by an idle keep-alive client. Each pool thread keeps at most one database connection.
    """

    threads = 8

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="jiceng-http")

    def process_request(self, request, client_address):
        self._pool.submit(self._serve, request, client_address)

    def _serve(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - the same handling as socketserver's own servers
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self):
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)


def pooled_server(threads: int) -> type[PooledWSGIServer]:
    return type("PooledWSGIServer", (PooledWSGIServer,), {"threads": threads})


def run_gunicorn(*, host: str, port: int, workers: int, threads: int = 1) -> None:
    """Serve with gunicorn, each worker loading the application after the fork: sync workers, or with `threads`
    above 1, gthread workers of that many threads each (the big screen's streams each hold a thread for up to
    JICENG["SCREEN_STREAM_SECONDS"]; a sync worker would be held whole, decision 058)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            # API keys masked in the access log (a URL may carry one; core/logmask.py)
            settings = {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-", "post_fork": post_fork,
                        "logger_class": "jiceng.core.logmask.GunicornLogger"}
            if threads > 1:
                # keepalive 0: each answer closes its connection, as sync workers do, and a worker takes no more
                # connections than it has threads. A kept connection stays with the worker that accepted it, and
                # a worker accepting beyond its threads queues requests while another idles: measured with wrk
                # at 16 connections, p99 went from under 1 s to 2–4 s. Behind nginx the clients keep their
                # connections with nginx.
                settings.update(worker_class="gthread", threads=threads, keepalive=0, worker_connections=threads)
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            from django.core.wsgi import get_wsgi_application

            return get_wsgi_application()

    Application().run()

"""gunicorn settings for running the application directly: `gunicorn -c python:jiceng.gunicorn_conf
jiceng.wsgi:application -w 4`. `jiceng serve --workers N` applies the same hook and worker class itself."""

from jiceng.core.serving import post_fork  # noqa: F401 - gunicorn reads the hook from this module

# Threads in each worker: the big screen's event stream holds one for up to JICENG["SCREEN_STREAM_SECONDS"]; with
# sync workers it would hold a whole worker (decision 058). `--threads 1` on the command line gives sync workers.
worker_class = "gthread"
threads = 2  # an open screen holds one, the other serves (core/management/commands/serve.py)
keepalive = 0  # each answer closes its connection, so requests spread over the workers (core/serving.py)
worker_connections = threads

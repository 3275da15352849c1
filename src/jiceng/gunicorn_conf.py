"""gunicorn settings for running the application directly: `gunicorn -c python:jiceng.gunicorn_conf
jiceng.wsgi:application -w 4`. `jiceng serve --workers N` applies the same hook itself."""

from jiceng.core.serving import post_fork  # noqa: F401 - gunicorn reads the hook from this module

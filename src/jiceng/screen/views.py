"""The big screen (`/screen/`, `?place=ID`) and its Server-Sent Events stream (`/screen/stream/`), decision 058.

The stream lasts a bounded time (JICENG["SCREEN_STREAM_SECONDS"]) and tells the browser to come back (`retry:`):
EventSource reconnects by itself, sending the last event id (the roll-up version it has), so a worker or thread
is never held by one screen for longer than that, gunicorn's worker timeout is never reached, and a proxy that cut
the connection costs at most one reconnect. While open it asks the database one cheap question a second — the sum
of the places' roll-up stamps — and sends the screen's data when the answer changes.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views import View
from django.views.generic import TemplateView

from . import services

RETRY_MS = 1000  # the browser comes back one second after a stream ends (HTML Living Standard, server-sent events)
KEEPALIVE_SECONDS = 15  # a comment line now and then, so idle proxies do not drop the connection


def _conf(name: str, default: float) -> float:
    return float(settings.JICENG.get(name, default))


class ScreenView(LoginRequiredMixin, TemplateView):
    template_name = "screen/screen.html"

    def get(self, request, *args, **kwargs):
        if not request.GET.get("place"):
            try:
                services.target_for(request.user)
            except PermissionDenied as exc:
                # The menu's pages open for everyone (decision 023): a role without a screen is told why, with the
                # application's own layout, rather than refused. A place asked for by id is still 403/404.
                return render(request, "screen/none.html", {"reason": str(exc)})
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        place = self.request.GET.get("place")
        target = services.target_for(self.request.user, place)
        ctx["target"] = target
        # The page carries the live part (from the roll-ups); the slow panels come with the stream's first event a
        # moment later, so opening the screen never waits for them.
        ctx["screen_data"] = services.screen_data(target, panels=False)
        ctx["year"] = ctx["screen_data"]["today"][:4]
        own = services.target_for(self.request.user) if place else target
        ctx["choices"] = services.choices(self.request.user, own)
        ctx["place_param"] = self.request.GET.get("place", "")
        return ctx


def event(data: dict) -> str:
    """One SSE message: the version as its id (sent back as Last-Event-ID on reconnect), the data as one line."""
    return f"id: {data['version']}\ndata: {json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)}\n\n"


class StreamView(LoginRequiredMixin, View):
    def get(self, request):
        target = services.target_for(request.user, request.GET.get("place"))
        seconds = _conf("SCREEN_STREAM_SECONDS", 25)
        poll = _conf("SCREEN_POLL_SECONDS", 1)
        try:
            last = int(request.headers.get("Last-Event-ID", ""))
        except ValueError:
            last = None

        def events():
            nonlocal last
            yield f"retry: {RETRY_MS}\n\n"
            started = quiet = time.monotonic()
            while True:
                current = services.version(target)
                if current != last:
                    data = services.screen_data(target)
                    last = data["version"]
                    quiet = time.monotonic()
                    yield event(data)
                elif time.monotonic() - quiet >= KEEPALIVE_SECONDS:
                    quiet = time.monotonic()
                    yield ": keep-alive\n\n"
                if time.monotonic() - started + poll > seconds:
                    return
                time.sleep(poll)

        response = StreamingHttpResponse(events(), content_type="text/event-stream; charset=utf-8")
        response["Cache-Control"] = "no-cache, no-store"
        # nginx buffers proxied answers by default: this header turns it off for the stream alone.
        response["X-Accel-Buffering"] = "no"
        return response

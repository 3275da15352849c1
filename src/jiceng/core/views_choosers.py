"""The search-as-you-type endpoint behind the name choosers of list filters (core/choosers.py)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, JsonResponse
from django.views import generic

from . import choosers


class ChoicesView(LoginRequiredMixin, generic.View):
    """GET choices/<kind>/?q=…&kinds=street,district → {"results": [{"id", "label"}]}, in the user's scope only."""

    raise_exception = True  # a script gets 403, not a redirect to the login page

    def get(self, request, kind: str):
        if kind not in choosers.CHOOSERS:
            raise Http404
        try:
            kinds = choosers.place_kinds(request.GET.get("kinds", "")) if kind == "place" else ()
        except choosers.BadChoice as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        results = choosers.search(kind, request.user, request.GET.get("q", ""), kinds=kinds)
        response = JsonResponse({"results": results})
        response["Cache-Control"] = "private, no-store"  # names in one user's scope: never shared by a cache
        return response

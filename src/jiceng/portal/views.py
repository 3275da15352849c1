"""Public portal pages (no login): a building's page at /p/<place id>/, its printable QR poster (staff), and the
public list of upcoming activities that /activities/ shows to visitors without a staff role."""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import reverse
from django.views import generic

from jiceng.activities.feeds import qr_svg
from jiceng.demands import intake
from jiceng.demands.forms import PublicDemandForm
from jiceng.places.models import Place

from . import services


def building_url(request, place_id: int) -> str:
    """The absolute address the QR poster encodes (the building's public page)."""
    return request.build_absolute_uri(reverse("portal:building", args=[place_id]))


def building_demand_form(place: Place) -> PublicDemandForm:
    """The public demand form (demands/intake.py rules, posted to /demands/submit/) with the building preset and
    hidden: a visitor from the lobby poster should not have to find their building in a list."""
    form = PublicDemandForm(initial={"place": place.pk, "form_token": intake.form_token()})
    form.fields["place"].widget = forms.HiddenInput()
    return form


class BuildingView(generic.TemplateView):
    """楼宇码 page: the building's head, its station, services, upcoming public activities and the demand form."""

    template_name = "portal/building.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        place = services.public_place(kwargs["pk"])
        ctx["page"] = services.building_page(place)
        ctx["demand_form"] = building_demand_form(place)
        return ctx


class PosterView(LoginRequiredMixin, generic.TemplateView):
    """The printable A4 poster for the lobby: the building's name, the QR code of its public page and how to use
    it. For the staff who can see the building (building workers, street and district staff)."""

    template_name = "portal/poster.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        place = services.public_place(kwargs["pk"])
        if not Place.objects.restrict(self.request.user).filter(pk=place.pk).exists():
            raise Http404
        url = building_url(self.request, place.pk)
        ctx.update(place=place, url=url, qr=qr_svg(url))
        return ctx


class PublicActivityListView(generic.TemplateView):
    """Upcoming public activities for anyone (no login, or signed in without a staff role: docs/decisions/077)."""

    template_name = "portal/activities.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["activities"] = services.upcoming_public_activities(limit=50)
        return ctx

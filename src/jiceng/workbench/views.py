"""The home page: the workbench of each role the user holds (assembled in services.py)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import generic

from . import services


class WorkbenchView(LoginRequiredMixin, generic.TemplateView):
    template_name = "workbench/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        panels = services.workbench(user)
        ctx["panels"] = panels
        ctx["role_labels"] = services.role_labels(user)
        ctx["charts"] = [(f"chart-{panel.key}-{section.key}-data", section.chart) for panel in panels
                         for section in panel.sections if section.chart]
        return ctx

"""The demo shows the reports with its own data: members with occupations and nationalities, new members, dues,
completed projects and rated demands (the demo's dates are relative to today, so its last twelve months are
looked at as this year and last)."""

from __future__ import annotations

import pytest
import time_machine

from jiceng.operations.demo import STREET_WJC, load_demo
from jiceng.places.models import Place
from jiceng.reports import services
from jiceng.reports.periods import Period

from .conftest import NOW


@pytest.mark.django_db
def test_the_demo_street_reports_have_figures():
    with time_machine.travel(NOW, tick=False):
        load_demo()
        street = Place.objects.get(name=STREET_WJC)
        party = services.party_statistics(street, Period(NOW.year)).data
        assert party["members"]["total"] > 150 and party["members"]["probationary"] > 0
        occupations = {row["key"]: row["count"] for row in party["by_occupation"]}
        assert occupations["professional"] > occupations.get("", 0)
        assert len(party["by_ethnicity"]) > 1
        assert party["coverage"][0]["with_organization"] > 0
        years = [Period(NOW.year), Period(NOW.year - 1)]
        assert sum(services.party_statistics(street, p).data["development"]["developed"] for p in years) > 0
        assert sum(services.party_statistics(street, p).data["dues"]["payments"] for p in years) > 0
        assert sum(services.projects_year(street, p).data["completed"] for p in years) > 0
        demands = [services.demands_year(street, p).data["total"] for p in years]
        assert sum(d["received"] for d in demands) > 0 and sum(d["rated"] for d in demands) > 0

"""`jiceng risk recompute [--json]`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from jiceng.risk import services
from jiceng.risk.models import EnterpriseRisk
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_recompute_json_prints_counts_per_level(world):
    services.record_signal(enterprise=world["ent"], type="registration_moved", recompute_now=False)
    services.record_signal(enterprise=world["ent"], type="intends_to_move", recompute_now=False)
    f.enterprise(world["tree"]["building1"], lease_end=None)
    out, err = io.StringIO(), io.StringIO()
    call_command("risk", "recompute", "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == {"1": 2, "2": 0, "3": 0, "4": 0, "5": 1}
    assert "total 3 enterprises" in err.getvalue()
    assert EnterpriseRisk.objects.count() == 3
    out = io.StringIO()
    call_command("risk", "recompute", "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["5"] == 1


def test_recompute_plain_output(world):
    out = io.StringIO()
    call_command("risk", "recompute", stdout=out)
    assert "1 稳定(绿色): 2" in out.getvalue()


def test_subcommand_required(world):
    with pytest.raises(CommandError):
        call_command("risk")

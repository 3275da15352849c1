"""`jiceng backup` / `jiceng restore` round-trip the data with nothing lost."""

import io

import pytest
from django.core.management import call_command

from jiceng.demands.models import Category
from jiceng.enterprises.models import Enterprise
from jiceng.members.models import DuesRate, Member
from jiceng.organizations.models import Coverage
from tests import factories as f


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_and_restore_round_trip(tmp_path, tree):
    org = f.organization(tree["park1"], "甲支部")
    ent = f.enterprise(tree["building1"], "甲科技")
    f.cover(org, ent)
    m = f.member(org, "张三", employer=ent)
    before = {model: sorted(model.objects.values_list("pk", flat=True))
              for model in (Enterprise, Member, Coverage, DuesRate, Category)}
    target = tmp_path / "jiceng.json.gz"
    call_command("backup", str(target), stdout=io.StringIO())
    Member.objects.all().delete()
    ent.name = "改过的名字"
    ent.save()
    call_command("restore", str(target), "--yes", stdout=io.StringIO())
    after = {model: sorted(model.objects.values_list("pk", flat=True)) for model in before}
    assert after == before
    assert Enterprise.objects.get(pk=ent.pk).name == "甲科技"
    restored = Member.objects.get(pk=m.pk)
    assert restored.id_number == m.id_number and restored.organization_id == org.pk
    assert restored.history.exists()  # change history comes back too

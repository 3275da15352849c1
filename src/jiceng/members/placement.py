"""Moving members out of 党委 and 总支 into branches (the data migration of decision 039, callable from tests).

党章第八条 and 《中国共产党支部工作条例(试行)》 put every member in a branch; records made before the rule was enforced
may have members directly in a committee or a general branch, or in a party group. `move_misplaced_members` moves
them in a few set-based statements and writes one history row per moved member with the reason.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

# Strings rather than the enums: the migration runs with historical models.
COMMITTEE_KINDS = ("committee", "general_branch")
BRANCH_KINDS = ("branch", "joint_branch", "temporary_branch")
PARTY_GROUP = "party_group"
REASON = "党员不能直接隶属于党委或党总支,组织关系移入其下属支部(党章第八条;决策记录039)"
GROUP_REASON = "党员的组织关系应在支部,党小组另行记录(决策记录039)"
BATCH = 500


def _history_rows(HistoricalMember, members, reason: str, when: dt.datetime) -> list:
    """One '~' (changed) history row per member, as django-simple-history would write on save."""
    tracked = [f for f in HistoricalMember._meta.fields if not f.name.startswith("history_")]
    rows = []
    for member in members:
        row = HistoricalMember(history_date=when, history_type="~", history_change_reason=reason,
                               history_user_id=None)
        for f in tracked:
            setattr(row, f.attname, getattr(member, f.attname))
        rows.append(row)
    return rows


def _new_branch(Organization, HistoricalOrganization, parent, today: dt.date, when: dt.datetime):
    """`<name>直属党支部` under `parent`, with the path, place keys and history row that save() would write."""
    branch = Organization.objects.create(
        name=f"{parent.name}直属党支部", kind="branch", parent_id=parent.pk, place_id=parent.place_id,
        district_id=parent.district_id, street_id=parent.street_id, established=today, path="")
    branch.path = f"{parent.path}{branch.pk}/"
    Organization.objects.filter(pk=branch.pk).update(path=branch.path)
    if HistoricalOrganization is not None:
        row = HistoricalOrganization(history_date=when, history_type="+", history_change_reason=REASON,
                                     history_user_id=None)
        for f in HistoricalOrganization._meta.fields:
            if not f.name.startswith("history_") and hasattr(branch, f.attname):
                setattr(row, f.attname, getattr(branch, f.attname))
        row.save()
    return branch


def move_misplaced_members(Organization, Member, HistoricalMember, HistoricalOrganization=None, *,
                           today: dt.date | None = None) -> list[tuple[int, int, int]]:
    """Move every member of a 党委/总支 to the first branch under it by path (creating `<name>直属党支部` where
    there is none), and every member recorded in a party group to that group's branch (keeping the group in
    `party_group`). Returns (from organization, to organization, members moved) per organization."""
    today = today or timezone.localdate()
    when = timezone.now()
    moved: list[tuple[int, int, int]] = []
    has_members = Exists(Member.objects.filter(organization=OuterRef("pk")))
    for org in Organization.objects.filter(has_members, kind__in=COMMITTEE_KINDS).order_by("path"):
        target = (Organization.objects.filter(path__startswith=org.path, kind__in=BRANCH_KINDS)
                  .exclude(pk=org.pk).order_by("path").first())
        if target is None:
            target = _new_branch(Organization, HistoricalOrganization, org, today, when)
        moved.append((org.pk, target.pk, _move(Member, HistoricalMember, org.pk, target.pk, None, REASON, when)))
    for group in Organization.objects.filter(has_members, kind=PARTY_GROUP).order_by("path"):
        if group.parent_id is None:
            continue
        moved.append((group.pk, group.parent_id,
                      _move(Member, HistoricalMember, group.pk, group.parent_id, group.pk, GROUP_REASON, when)))
    return moved


def _move(Member, HistoricalMember, source: int, target: int, party_group: int | None, reason: str,
          when: dt.datetime) -> int:
    ids = list(Member.objects.filter(organization_id=source).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        Member.objects.filter(pk__in=chunk).update(organization_id=target, party_group_id=party_group)
        HistoricalMember.objects.bulk_create(
            _history_rows(HistoricalMember, Member.objects.filter(pk__in=chunk), reason, when), batch_size=BATCH)
    return len(ids)

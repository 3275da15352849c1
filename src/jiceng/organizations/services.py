"""Use cases on party organizations: coverage and committee seats (one transaction each)."""

from __future__ import annotations

from django.db import transaction

from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member

from .models import CommitteeMember, Coverage, Organization


@transaction.atomic
def add_coverage(organization: Organization, enterprise: Enterprise) -> Coverage:
    coverage = Coverage(organization=organization, enterprise=enterprise)
    coverage.full_clean()
    coverage.save()
    return coverage


@transaction.atomic
def remove_coverage(organization: Organization, enterprise_id: int) -> int:
    removed = 0
    for coverage in Coverage.objects.filter(organization=organization, enterprise_id=enterprise_id):
        coverage.delete()  # per row, so the change history records it
        removed += 1
    return removed


@transaction.atomic
def seat_committee_member(organization: Organization, member: Member, position: str) -> CommitteeMember:
    seat = CommitteeMember.objects.filter(organization=organization, member=member).first() or CommitteeMember(
        organization=organization, member=member)
    seat.position = position
    seat.full_clean()
    seat.save()
    return seat


@transaction.atomic
def unseat_committee_member(organization: Organization, seat_id: int) -> None:
    for seat in CommitteeMember.objects.filter(organization=organization, pk=seat_id):
        seat.delete()

"""The shipped 三会一课 rules (domain.md "Organizational life"); admins adjust them as data."""

from __future__ import annotations

# kind, period, minimum
COMPLIANCE_RULES: list[tuple[str, str, int]] = [
    ("branch_meeting", "quarter", 1),
    ("committee_meeting", "month", 1),
    ("group_meeting", "month", 1),
    ("party_lecture", "quarter", 1),
    ("theme_day", "month", 1),
    ("life_meeting", "year", 1),
    ("appraisal", "year", 1),
]


def install(apps) -> None:
    """Create the rules that are missing; rules an admin already changed are left alone."""
    Rule = apps.get_model("activities", "ComplianceRule")
    for order, (kind, period, minimum) in enumerate(COMPLIANCE_RULES, start=1):
        Rule.objects.get_or_create(kind=kind, defaults={"period": period, "minimum": minimum, "order": order})

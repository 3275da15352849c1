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


# Kinds a parent 党委/总支 may hold for its branches: they count for each branch whose members attended.
PARENT_COUNTED = ("party_lecture", "theme_day")


def install(apps=None) -> None:
    """Create the rules that are missing; rules an admin already changed are left alone."""
    if apps is None:
        from django.apps import apps
    Rule = apps.get_model("activities", "ComplianceRule")
    has_parent_field = any(f.name == "counts_parent" for f in Rule._meta.get_fields())
    for order, (kind, period, minimum) in enumerate(COMPLIANCE_RULES, start=1):
        defaults = {"period": period, "minimum": minimum, "order": order}
        if has_parent_field:
            defaults["counts_parent"] = kind in PARENT_COUNTED
        Rule.objects.get_or_create(kind=kind, defaults=defaults)

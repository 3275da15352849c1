"""Read helpers for the place tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import Place, PlaceKind

# The tree page stops at buildings; units are listed on each building's page.
TREE_KINDS_EXCLUDED = (PlaceKind.UNIT,)


@dataclass
class TreeNode:
    place: Place
    children: list[TreeNode] = field(default_factory=list)


def place_tree(queryset: QuerySet[Place], limit: int = 5000) -> list[TreeNode]:
    """Nest the (scoped) places into a forest in one query; roots are places whose parent is not visible."""
    places = list(queryset.exclude(kind__in=TREE_KINDS_EXCLUDED).order_by("path").only(
        "id", "name", "kind", "parent_id", "path")[:limit])
    nodes = {p.pk: TreeNode(p) for p in places}
    roots = []
    for place in places:
        parent = nodes.get(place.parent_id)
        (parent.children if parent else roots).append(nodes[place.pk])
    return roots

"""The demands stage of `jiceng seed` (see jiceng.operations.seeding): `Scale.demands` demands spread over two
years, over the generated buildings and enterprises, with a realistic mix of statuses and categories.

Texts and categories come from the shipped classifier corpus, so counts per category look like real
intake. Timeline events are not generated (the dispatch board and statistics read the demand rows).
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from jiceng.core import bulk

from .classifier import CORPUS_PATH
from .models import Category, Demand, DemandSource, DemandStatus, RequesterKind

S = DemandStatus
STATUS_WEIGHTS = [(S.CLOSED, 55), (S.RESOLVED, 10), (S.ASSIGNED, 12), (S.ACCEPTED, 8), (S.SUBMITTED, 10),
                  (S.REJECTED, 3), (S.MERGED, 2)]
SOURCE_WEIGHTS = [(DemandSource.VISIT, 40), (DemandSource.WEB, 20), (DemandSource.PHONE, 15),
                  (DemandSource.PUBLIC, 10), (DemandSource.WALK_IN, 8), (DemandSource.SERVICE_ORDER, 5),
                  (DemandSource.API, 2)]
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
DAYS = 730


def _code(n: int) -> str:
    # "S" + base-32 of the running number, padded: unique among generated rows.
    digits = ""
    while True:
        n, r = divmod(n, 32)
        digits = ALPHABET[r] + digits
        if not n:
            break
    return ("S" + digits.rjust(9, "2"))[:12]


def stage_demands(ctx) -> int:
    from jiceng.operations.seeding import _weighted

    total = ctx.scale.demands
    if not total or not ctx.enterprises:
        return 0
    rng = ctx.rng("demands")
    categories = {c.code: c.pk for c in Category.objects.all()}
    corpus = [json.loads(line) for line in CORPUS_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = [(row["text"], categories[row["category"]]) for row in corpus if row["category"] in categories]
    by_area: dict[int, list[int]] = {}
    for ent in ctx.enterprises:
        by_area.setdefault(ent.area, []).append(ent.id)
    areas = [i for i in range(len(ctx.areas)) if i in by_area]
    now = timezone.now()
    today = ctx.today
    first = ctx.allocate_ids(Demand, total)

    def rows():
        for i in range(total):
            area_index = rng.choice(areas)
            area = ctx.areas[area_index]
            text, category_id = rng.choice(corpus)
            status = _weighted(rng, STATUS_WEIGHTS)
            created = now - dt.timedelta(days=rng.random() * DAYS)
            accepted = status not in (S.SUBMITTED, S.REJECTED) or rng.random() < 0.3
            accepted_on = (created + dt.timedelta(days=rng.randint(0, 2))).date() if accepted else None
            # Deadlines: about five working days (a week); an eighth of the open ones run late.
            due = accepted_on + dt.timedelta(days=7) if accepted_on else None
            if due and status in (S.ACCEPTED, S.ASSIGNED) and rng.random() < 0.125:
                due = today - dt.timedelta(days=rng.randint(1, 20))
            elif due and status in (S.ACCEPTED, S.ASSIGNED):
                due = max(due, today + dt.timedelta(days=rng.randint(0, 7)))
            resolved = created + dt.timedelta(days=rng.randint(1, 10)) if status in (S.RESOLVED, S.CLOSED) else None
            place_id = rng.choice(area.children) if area.children and rng.random() < 0.5 else area.id
            yield dict(
                id=first + i, tracking_code=_code(first + i), source=_weighted(rng, SOURCE_WEIGHTS),
                requester_kind=RequesterKind.ENTERPRISE, requester_enterprise_id=rng.choice(by_area[area_index]),
                text=text, category_id=category_id if accepted_on else None, suggested_category_id=category_id,
                suggestion_confidence=round(rng.uniform(0.5, 0.99), 3), status=status, accepted_on=accepted_on,
                due_date=due, resolved_at=resolved, closed_at=resolved if status == S.CLOSED else None,
                rating=rng.choice((3, 4, 4, 5, 5, 5)) if status == S.CLOSED and rng.random() < 0.6 else None,
                place_id=place_id, district_id=area.district_id, street_id=area.street_id,
                created=created, updated=resolved or created)

    with bulk.indexes_deferred(Demand):
        return ctx.insert_dicts(Demand, rows(), total, "demands")

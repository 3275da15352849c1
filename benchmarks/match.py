"""Time the matching engine (`jiceng match`) on generated city-scale instances and check it is optimal.

    python benchmarks/match.py [--cases 2k-city 2k-inner 20k-city] [--repeat 5] [--verify-all]
                               [--output benchmarks/results/matching.md]

Each case is a fixed instance from `generate_instance(n, n, seed, area=...)`: random needs and resources,
clustered, radii 1–3 km, windows over a few months, nine categories; `2k-city` and `20k-city` spread over
Shanghai, `2k-inner` packs 2,000 × 2,000 into a tenth of that box (denser, more pairs per need, so more
competition for the same resources). Then, after one warm-up run:

- `assign(method="lp")` end to end (arrays, candidate pairs from the k-d trees, scoring, the LP), `--repeat`
  times: the median of each phase;
- `assign(method="greedy")` the same way: its total score against the LP's (the ratio);
- the LP's total score against an exact reference, the same problem as a min-cost flow solved by networkx's
  network simplex (`engine/reference.py`), for the 2,000 cases (all of them with `--verify-all`: the
  20,000 case takes a few minutes in networkx);
- reading the instance from JSON and writing the result (what `jiceng match` adds), at the largest size.

The table goes to stdout and to `--output`. Needs no database; run it from the repository root with the
package installed (`pip install -e '.[test]'`, networkx for the reference).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import scipy

from jiceng.matching import instance
from jiceng.matching.engine import MatchResult, assign, generate_instance
from jiceng.matching.engine.generate import INNER_CITY, LAT_RANGE, LNG_RANGE
from jiceng.matching.engine.reference import flow_optimum

CITY = (LAT_RANGE, LNG_RANGE)
# name: (n needs = n resources, seed, area, label)
CASES = {
    "2k-city": (2000, 2000, CITY, "Shanghai"),
    "2k-inner": (2000, 2001, INNER_CITY, "inner city"),
    "20k-city": (20000, 20000, CITY, "Shanghai"),
}
TARGET_SECONDS = {20000: 5.0}
PHASES = ("candidate_seconds", "scoring_seconds", "solve_seconds", "total_seconds")


def as_json(needs, resources) -> str:
    def row(item) -> dict:
        data = {key: getattr(item, key) for key in item.__slots__}
        data["start"], data["end"] = data["start"].isoformat(), data["end"].isoformat()
        for key in ("daily_start", "daily_end"):
            data[key] = data[key].strftime("%H:%M") if data[key] is not None else None
        return data

    return json.dumps({"needs": [row(n) for n in needs], "resources": [row(r) for r in resources]},
                      ensure_ascii=False)


def timed_runs(needs, resources, method: str, repeat: int) -> tuple[MatchResult, dict[str, float], list[float]]:
    assign(needs, resources, method=method)  # warm-up: caches, the IDF table
    results = [assign(needs, resources, method=method) for _ in range(repeat)]
    medians = {phase: statistics.median(r.stats[phase] for r in results) for phase in PHASES}
    totals = {round(r.total_score, 9) for r in results}
    if len(totals) != 1:
        raise SystemExit(f"{method}: runs disagree on the total score: {sorted(totals)}")
    return results[-1], medians, [r.stats["total_seconds"] for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--verify-all", action="store_true", help="check the optimum at every size (slow)")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/matching.md"))
    args = parser.parse_args()

    load = os.getloadavg()[0]
    rows = []
    notes = []
    for name in args.cases:
        n, seed, area, label = CASES[name]
        needs, resources = generate_instance(n, n, seed, area=area)
        lp, lp_times, lp_samples = timed_runs(needs, resources, "lp", args.repeat)
        greedy, greedy_times, _ = timed_runs(needs, resources, "greedy", args.repeat)
        reference = gap = None
        reference_seconds = None
        if n <= 2000 or args.verify_all:  # networkx needs minutes for the largest case
            started = time.perf_counter()
            reference, _ = flow_optimum(needs, resources)
            reference_seconds = time.perf_counter() - started
            gap = abs(lp.total_score - reference) / reference
        target = TARGET_SECONDS.get(n)
        rows.append({
            "n": n, "seed": seed, "label": label,
            "pairs": lp.stats["pairs_considered"], "eligible": lp.stats["eligible_pairs"],
            "columns": lp.stats.get("lp_columns"), "rounds": lp.stats.get("max_rounds"),
            "lp": lp_times, "lp_samples": lp_samples, "greedy": greedy_times,
            "lp_total": lp.total_score, "greedy_total": greedy.total_score,
            "ratio": greedy.total_score / lp.total_score if lp.total_score else 1.0,
            "served_lp": lp.stats["assigned_quantity"], "served_greedy": greedy.stats["assigned_quantity"],
            "wanted": lp.stats["assigned_quantity"] + lp.stats["unmatched_quantity"],
            "reference": reference, "gap": gap, "reference_seconds": reference_seconds,
            "target": target, "ok": target is None or lp_times["total_seconds"] < target,
        })
        print(f"{name}: lp {lp_times['total_seconds']:.3f} s, greedy/lp {rows[-1]['ratio']:.4f}"
              + (f", gap to reference {gap:.2e}" if gap is not None else ""), flush=True)

    n, seed, area, _ = max((CASES[name] for name in args.cases), key=lambda case: case[0])
    needs, resources = generate_instance(n, n, seed, area=area)
    text = as_json(needs, resources)
    started = time.perf_counter()
    parsed = instance.loads(text)
    read_seconds = time.perf_counter() - started
    result = assign(*parsed)
    started = time.perf_counter()
    instance.dumps(result)
    write_seconds = time.perf_counter() - started
    notes.append(f"At {n:,} × {n:,}, `jiceng match` adds {read_seconds:.2f} s to read and check the "
                 f"{len(text) / 1e6:.1f} MB input and {write_seconds:.2f} s to write the result (plus the Python "
                 "and Django start-up).")

    report = render(rows, notes, args.repeat, (load, os.getloadavg()[0]))
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")


def render(rows: list[dict], notes: list[str], repeat: int, load: tuple[float, float]) -> str:
    lines = [
        "# Matching engine benchmark (`jiceng match`)",
        "",
        "Reproduce from the repository root (no database needed; networkx for the reference):",
        "",
        "```sh",
        "python benchmarks/match.py --repeat 5 --verify-all --output benchmarks/results/matching.md",
        "```",
        "",
        f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores shared with other work "
        f"(load average {load[0]:.2f} at the start, {load[1]:.2f} at the end); "
        f"Python {platform.python_version()}, NumPy {np.__version__}, "
        f"SciPy {scipy.__version__} (HiGHS). Instances: `generate_instance(n, n, seed)`, random needs and "
        "resources over Shanghai (or its inner city), radii 1–3 km, nine categories. Times are medians of "
        f"{repeat} runs after a warm-up, end to end in `assign` (arrays, candidate pairs, scoring, solve).",
        "",
        "| needs × resources | candidate pairs | eligible pairs | LP columns (rounds) | candidates s | scoring s "
        "| solve s | **LP end to end s** | greedy end to end s | greedy / LP total score | LP vs exact reference |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        lp, greedy = row["lp"], row["greedy"]
        if row["reference"] is None:
            check = "not run (`--verify-all`)"
        else:
            check = f"{row['gap']:.1e} relative ({row['reference_seconds']:.0f} s in networkx)"
        target = f" (target < {row['target']:.0f} s{' ✓' if row['ok'] else ' ✗'})" if row["target"] else ""
        lines.append(
            f"| {row['n']:,} × {row['n']:,} {row['label']} (seed {row['seed']}) | "
            f"{row['pairs']:,} | {row['eligible']:,} | "
            f"{row['columns']:,} ({row['rounds']}) | {lp['candidate_seconds']:.3f} | {lp['scoring_seconds']:.3f} | "
            f"{lp['solve_seconds']:.3f} | **{lp['total_seconds']:.3f}**{target} | {greedy['total_seconds']:.3f} | "
            f"{row['ratio']:.4f} | {check} |")
    lines += ["", "Totals:", ""]
    for row in rows:
        lines.append(
            f"- {row['n']:,} × {row['n']:,} {row['label']}: LP total score {row['lp_total']:.4f}, "
            f"greedy {row['greedy_total']:.4f}; "
            f"quantity served LP {row['served_lp']:,} / greedy {row['served_greedy']:,} of {row['wanted']:,} wanted"
            + (f"; exact reference {row['reference']:.4f}" if row["reference"] is not None else "")
            + f"; LP runs (s): {', '.join(f'{s:.2f}' for s in row['lp_samples'])}.")
    lines += [""] + [f"{note}" for note in notes] + [""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Lab 25 (unbounded growth): what the driver of go_samples/unbounded reports per case (requests
submitted, answered, how long they waited), read into tables next to the harness's measurements."""

from __future__ import annotations

import re

from ..measure import Run
from ..notebook import show_markdown as _md

CASES = ("spawn", "queue", "pool")
_LINE = re.compile(r"^(\w+) (spawn|queue|pool): submitted (\d+), served (\d+)"
                   r"(?:, wait median ([\d.]+) ms, p99 ([\d.]+) ms, last ([\d.]+) ms)?", re.M)


def results(run: Run) -> dict[str, dict]:
    """Per case the driver ran: submitted, served, and the wait (ms) from arrival to answer:
    median, 99th percentile and that of the last request answered."""
    out = {}
    for m in _LINE.finditer(run.stdout_tail):
        out[m[2]] = {"submitted": int(m[3]), "served": int(m[4]),
                     "median": float(m[5] or 0), "p99": float(m[6] or 0), "last": float(m[7] or 0)}
    return out


def peak_goroutines(run: Run) -> int:
    return max((s["goroutines"] for s in run.samples), default=0)


def peak_heap(run: Run) -> int:
    return max((s["heap_live"] for s in run.samples), default=0)


def table(runs: list[Run]) -> str:
    """Markdown: per run and case, requests submitted and answered during the run, those admitted
    but not answered when it ended, and their waits; for runs of one case, also the run's peak
    goroutines and live heap (of a run of several cases they would be the sum of all)."""
    single = all(len(results(r)) == 1 for r in runs)
    extra = " peak goroutines | peak live heap |" if single else ""
    rows = ["| run | case | submitted | answered | admitted, not answered | wait median | wait p99 | last answered waited |" + extra,
            "|---|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if single else "")]
    for r in runs:
        res = results(r)
        for c in CASES:
            if c not in res:
                continue
            x = res[c]
            rows.append(f"| {r.label} | {c} | {x['submitted']:,} | {x['served']:,} | {x['submitted'] - x['served']:,} | "
                        f"{x['median']:,.0f} ms | {x['p99']:,.0f} ms | {x['last']:,.0f} ms |"
                        + (f" {peak_goroutines(r):,} | {peak_heap(r) / 1e6:,.1f} MB |" if single else ""))
    return "\n".join(rows)


def show_table(runs: list[Run]) -> None:
    _md(table(runs))


def little(run: Run, case: str, duration: float) -> str:
    """Little's law on a case: requests in the system = arrival rate × time in the system, with the
    rate the driver achieved and the median wait it measured."""
    x = results(run)[case]
    rate = x["submitted"] / duration
    return (f"{run.label} {case}: λ = {x['submitted']:,} submitted in {duration:g} s = {rate:,.0f}/s; W = median wait "
            f"{x['median'] / 1000:.3f} s; L = λ·W = {rate * x['median'] / 1000:,.0f} requests inside on average; "
            f"inside at the end (admitted, not answered): {x['submitted'] - x['served']:,}")

"""Decide leak / clean from a run, with the numbers and reasons behind it.

Three kinds of evidence, strongest first:
- proven goroutine leaks: the goroutineleak profile (Go 1.27) found goroutines blocked on
  something no runnable goroutine can reach; these can never wake up;
- growth trends over the run: goroutine count and live heap (after GC), tested with a
  Mann-Kendall trend test and sized with a Theil-Sen slope, so noise and single spikes do not count
  and growth that stops (a plateau) does not count;
- goroutines still blocked when the program ended (what goleak reports): shown as suspects, not
  proof, because a wait may be long but finite.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .collect import LeakSite


@dataclass(frozen=True)
class Thresholds:
    """What counts as growth. Checked against the corpus (benchmarks/accuracy.py) and
    `python -m harness bench ttv`."""

    warmup_frac: float = 0.15       # ignore the start-up ramp
    min_points: int = 8
    z: float = 3.0                  # Mann-Kendall z for "growing"
    min_goroutines: float = 8       # growth over the window, goroutines
    min_heap_bytes: float = 1 << 20  # growth over the window, bytes
    min_heap_rel: float = 0.25      # ...and relative to the starting live heap
    tail_keep: float = 0.3          # last-half slope must be >= this fraction of the whole


@dataclass
class Trend:
    metric: str
    slope: float         # units per second (Theil-Sen)
    growth: float        # slope * window
    z: float             # Mann-Kendall z
    tail_slope: float    # slope over the last half of the window
    points: int
    growing: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Verdict:
    verdict: str                      # "leak" | "clean"
    headline: str                     # one line with numbers, for people
    reasons: list[str]
    goroutines: Trend | None
    heap: Trend | None
    proven: int
    suspects: int
    sites: list[LeakSite] = field(default_factory=list)

    @property
    def leak(self) -> bool:
        return self.verdict == "leak"

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "headline": self.headline, "reasons": self.reasons,
                "goroutines": self.goroutines.to_dict() if self.goroutines else None,
                "heap": self.heap.to_dict() if self.heap else None,
                "proven": self.proven, "suspects": self.suspects}


def theil_sen(ts: list[float], ys: list[float]) -> float:
    """Median of pairwise slopes (robust to outliers); O(n^2) on a thinned series."""
    slopes = sorted((ys[j] - ys[i]) / (ts[j] - ts[i])
                    for i in range(len(ts)) for j in range(i + 1, len(ts)) if ts[j] > ts[i])
    if not slopes:
        return 0.0
    m = len(slopes) // 2
    return slopes[m] if len(slopes) % 2 else (slopes[m - 1] + slopes[m]) / 2


def mann_kendall_z(ys: list[float]) -> float:
    """Mann-Kendall trend statistic as a z-score (ties handled in the variance)."""
    n = len(ys)
    if n < 3:
        return 0.0
    s = 0
    for i in range(n - 1):
        yi = ys[i]
        for j in range(i + 1, n):
            s += (ys[j] > yi) - (ys[j] < yi)
    counts: dict[float, int] = {}
    for y in ys:
        counts[y] = counts.get(y, 0) + 1
    var = (n * (n - 1) * (2 * n + 5) - sum(c * (c - 1) * (2 * c + 5) for c in counts.values())) / 18
    if var <= 0:
        return 0.0
    return (s - (s > 0) + (s < 0)) / math.sqrt(var)


def _thin(ts: list[float], ys: list[float], limit: int = 200) -> tuple[list[float], list[float]]:
    if len(ts) <= limit:
        return ts, ys
    step = len(ts) / limit
    idx = [int(i * step) for i in range(limit)] + [len(ts) - 1]
    return [ts[i] for i in idx], [ys[i] for i in idx]


def trend(samples: list[dict], key: str, th: Thresholds = Thresholds(), dedupe: bool = False) -> Trend | None:
    """Trend of one metric over the run after warm-up; None if too few points."""
    # Live heap is only known once a GC has marked it: readings before the first GC are 0.
    pts = [(s["t"], float(s[key])) for s in samples
           if key in s and (key != "heap_live" or s.get("gc_cycles", 1) > 0)]
    if len(pts) < th.min_points:
        return None
    t0, t1 = pts[0][0], pts[-1][0]
    pts = [p for p in pts if p[0] >= t0 + th.warmup_frac * (t1 - t0)]
    if dedupe:  # live heap only changes at GC: keep one point per GC
        kept = [pts[0]]
        for p in pts[1:]:
            if p[1] != kept[-1][1]:
                kept.append(p)
        pts = kept
    if len(pts) < 4:
        return Trend(key, 0.0, 0.0, 0.0, 0.0, len(pts), False)
    ts, ys = _thin([p[0] for p in pts], [p[1] for p in pts])
    slope = theil_sen(ts, ys)
    window = ts[-1] - ts[0]
    half = len(ts) // 2
    tail = theil_sen(ts[half:], ys[half:]) if len(ts) - half >= 2 else slope
    z = mann_kendall_z(ys)
    return Trend(key, slope, slope * window, z, tail, len(ts), False)


def decide(samples: list[dict], sites: list[LeakSite], ended: str | None,
           th: Thresholds = Thresholds(), final: dict | None = None) -> Verdict:
    """The verdict for one run. `ended` is how the program ended ("exited", "deadline", ...);
    `final` is the probe's post-GC sample at the end: one more exact live-heap point while the
    program is still running (deadline); after main returned it describes another state."""
    reasons: list[str] = []
    g = trend(samples, "goroutines", th)
    h = trend(samples + ([final] if final and ended == "deadline" else []), "heap_live", th, dedupe=True)
    if g:
        g.growing = (g.z >= th.z and g.growth >= th.min_goroutines and g.tail_slope >= th.tail_keep * g.slope)
    if h:
        start = next((float(s["heap_live"]) for s in samples if s.get("gc_cycles") and s.get("heap_live")), 0.0)
        h.growing = (h.z >= th.z and h.growth >= max(th.min_heap_bytes, th.min_heap_rel * start)
                     and h.tail_slope >= th.tail_keep * h.slope)
    proven = sum(s.count for s in sites if s.proven)
    suspects = sum(s.count for s in sites if not s.proven)

    parts = []
    if g and g.growing:
        parts.append(f"+{_num(g.slope)} goroutines/s")
        reasons.append(f"goroutines grew {g.growth:+,.0f} over the run ({g.slope:+,.1f}/s, "
                       f"Mann-Kendall z={g.z:.1f})")
    if h and h.growing:
        parts.append(f"+{_bytes(h.slope)}/s live heap")
        reasons.append(f"live heap after GC grew {_bytes(h.growth)} ({_bytes(h.slope)}/s, z={h.z:.1f})")
    if proven:
        top = next(s for s in sites if s.proven)  # sites come largest first
        more = len([s for s in sites if s.proven]) - 1
        where = f"{top.function} ({top.location}) [{top.wait_reason}]"
        if more:  # each count next to its own site, never the total next to one site
            parts.append(f"{proven:,} proven leaked: {top.count:,} at {where}, "
                         f"{proven - top.count:,} at {more} more site{'s' * (more > 1)}")
        else:
            parts.append(f"{proven:,} proven leaked at {where}")
        reasons.append(f"goroutineleak profile: {proven:,} goroutines blocked forever "
                       f"at {len([s for s in sites if s.proven])} site(s)")
    stuck = [s for s in sites if not s.proven and ended == "exited" and _blocks_forever(s.wait_reason)]
    if stuck:
        n = sum(s.count for s in stuck)
        parts.append(f"{n:,} still blocked after main returned at {stuck[0].function} "
                     f"({stuck[0].location}) [{stuck[0].wait_reason}] (suspected, not proven)")
    if suspects:
        top = next(s for s in sites if not s.proven)
        when = "after main returned" if ended == "exited" else "at the deadline"
        reasons.append(f"{suspects:,} goroutines still blocked {when}, not proven leaked "
                       f"(e.g. {top.function} at {top.location} [{top.wait_reason}])")
    leak = bool(parts)
    if leak:
        headline = "LEAK: " + ", ".join(parts)
    else:
        gcs = _gc_cycles(samples)
        if g is None:
            headline = "clean (too short to judge growth)"
        elif gcs < MIN_GCS_FOR_HEAP and _allocated(samples) < th.min_heap_bytes:
            # The live heap grows only by what is allocated: too little for the growth a heap
            # leak needs, whatever the collections would have shown (the probe forces fewer of
            # them in a program that hardly allocates).
            headline = (f"clean: flat goroutines and live heap (only {_allocated(samples) / 1e3:,.0f} kB "
                        "allocated in the run)")
        elif gcs < MIN_GCS_FOR_HEAP:
            # Mann-Kendall at z >= 3 needs 7 distinct live-heap readings even when every one
            # is higher than the last: with fewer GCs a heap leak cannot show here.
            headline = ("clean: flat goroutines; live heap not judged ("
                        + (f"only {gcs} GC cycle{'s' * (gcs != 1)}, {MIN_GCS_FOR_HEAP} needed)" if gcs
                           else "no GC cycle ran)"))
        else:
            headline = "clean: flat goroutines and live heap"
        if suspects:
            headline += f"; {suspects:,} goroutines still blocked at the end (not proven)"
        reasons.append("no proven leak, no sustained growth")
    return Verdict("leak" if leak else "clean", headline, reasons, g, h, proven, suspects, sites)


_SYNC_WAITS = ("chan ", "select", "sync.", "semacquire")
MIN_GCS_FOR_HEAP = 7


def _gc_cycles(samples: list[dict]) -> int:
    cycles = [s["gc_cycles"] for s in samples if "gc_cycles" in s]
    return int(cycles[-1] - cycles[0]) if cycles else 0


def _allocated(samples: list[dict]) -> float:
    """Bytes the program allocated over the samples (infinite when the stream does not say)."""
    a = [s["alloc_bytes"] for s in samples if "alloc_bytes" in s]
    return float(a[-1] - a[0]) if len(a) >= 2 else float("inf")


def _blocks_forever(wait_reason: str) -> bool:
    """Waits that only another goroutine can end (not sleep, I/O, or running code)."""
    return wait_reason.startswith(_SYNC_WAITS)


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def _bytes(x: float) -> str:
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(x) >= div:
            return f"{x / div:,.1f} {unit}"
    return f"{x:,.0f} B"

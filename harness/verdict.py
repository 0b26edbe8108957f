"""Decide leak / clean from a run, with the numbers and reasons behind it, and how sure it is.

The evidence, strongest first (`Evidence.kind`, and `Verdict.confidence` names the strongest that
made the verdict):
- proven: the goroutineleak profile (Go 1.27) found goroutines blocked on something no runnable
  goroutine can reach; these can never wake up;
- growing: a growth trend over the run: goroutine count, live heap (after GC), open file
  descriptors, child processes, tested with a Mann-Kendall trend test and sized with a Theil-Sen
  slope, so noise and single spikes do not count and growth that stops (a plateau) does not
  count; and blocking sites whose goroutine count grew over periodic goroutine profiles (named
  with their rate even when they are gone at the end);
- blocked: goroutines still blocked when main returned in a wait no idle worker rests in (a send,
  a lock, a WaitGroup, a nil channel) or in a library state known to mean a leak: suspected,
  not proven, counted as a leak;
- parked: goroutines still blocked when main returned in an idle wait (a receive, a select, a
  condition variable), the way a background worker waits for work. The program's own count as a
  leak (goleak's rule, for code that can stop them) unless they were there, unchanged, for most
  of the run; a library's are reported, not counted, unless `strict` (goleak's rule for all);
- inconclusive: growth still going on at the end of a window too short (or slowing too much) to
  tell a pool or cache filling up from a leak: reported with a duration to try, not counted
  unless `strict`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .collect import LeakSite


@dataclass(frozen=True)
class Thresholds:
    """What counts as growth. Checked against the corpus (benchmarks/accuracy.py) and
    `python -m benchmarks ttv`."""

    warmup_frac: float = 0.15       # ignore the start-up ramp
    min_points: int = 8
    z: float = 3.0                  # Mann-Kendall z for "growing"
    min_goroutines: float = 8       # growth over the window, goroutines
    min_heap_bytes: float = 1 << 20  # growth over the window, bytes
    min_heap_rel: float = 0.25      # ...and relative to the starting live heap
    min_fds: float = 8              # growth over the window, open file descriptors
    min_children: float = 4         # growth over the window, child processes
    tail_keep: float = 0.3          # last-half slope must be >= this fraction of the whole
    tail_sure: float = 0.5          # ...and below this it is slowing down: inconclusive
    site_z: float = 2.0             # Mann-Kendall z of one site's count over the profiles
    site_min: float = 3             # growth of one site's count still blocked at exit


@dataclass
class Trend:
    metric: str
    slope: float         # units per second (Theil-Sen)
    growth: float        # slope * window
    z: float             # Mann-Kendall z
    tail_slope: float    # slope over the last half of the window
    points: int
    growing: bool
    window: float = 0.0  # seconds the trend was measured over (after warm-up)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Ignore:
    """goleak's IgnoreTopFunction / IgnoreCreatedBy: goroutines whose top function or creating
    function is one of these are left out of the site evidence (proof, blocked, parked, site
    growth). Totals (the goroutine count's trend) still include them."""

    top: tuple[str, ...] = ()
    created_by: tuple[str, ...] = ()

    def match(self, top: str, created_by: str) -> str | None:
        if top and top in self.top:
            return f"--ignore-top {top}"
        if created_by and created_by in self.created_by:
            return f"--ignore-created-by {created_by}"
        return None

    def unmatched(self, sites: list[LeakSite], series_tops: dict[str, str]) -> list[str]:
        """The patterns that matched no goroutine of the run (at the end or in a profile)."""
        tops = {s.top for s in sites} | set(series_tops.values())
        made = {s.created_by_function for s in sites}
        return ([f"--ignore-top {f}" for f in self.top if f not in tops]
                + [f"--ignore-created-by {f}" for f in self.created_by if f not in made])


# Long-lived workers of the standard library and of common modules, started once per object (or
# per process) and meant to wait until that object is closed or collected: parked there at exit
# they are workers by design, never reported as a leak (proof and growth still count). Each entry
# is (top or entry function, why), with the source that says so.
BUILTIN_WORKERS: dict[str, str] = {
    # $GOROOT/src/os/signal/signal_unix.go, loop(): started once by the first signal.Notify
    # (watchSignalLoop) and never returns; goleak ignores it by default (options.go,
    # isStdLibStack) under both of these names.
    "os/signal.loop": "os/signal's signal loop, started once by signal.Notify, runs for the process",
    "os/signal.signal_recv": "os/signal's signal loop, started once by signal.Notify, runs for the process",
    # $GOROOT/src/database/sql/sql.go, OpenDB: `go db.connectionOpener(ctx)`, which selects on
    # ctx.Done() and db.openerCh until DB.Close cancels ctx: one per open *sql.DB, which is meant
    # to be long-lived ("It is rarely necessary to close a DB").
    "database/sql.(*DB).connectionOpener": "database/sql's connection opener, one per open *sql.DB until Close",
    # $GOROOT/src/database/sql/sql.go, startCleanerLocked: `go db.connectionCleaner(...)` once
    # SetConnMaxLifetime/SetConnMaxIdleTime is set and a connection is open; it returns when the
    # DB is closed or has no open connection.
    "database/sql.(*DB).connectionCleaner": "database/sql's connection cleaner, one per *sql.DB with a max lifetime",
    # github.com/patrickmn/go-cache v2.1.0 cache.go, runJanitor: `go j.Run(c)` for a cache made
    # with a cleanup interval, stopped by stopJanitor, a finalizer set on the *Cache
    # (runtime.SetFinalizer(C, stopJanitor)): it lives exactly as long as its cache is reachable.
    "github.com/patrickmn/go-cache.(*janitor).Run": "go-cache's janitor, one per cache, stopped when the cache is collected",
}

# Library states that mean a leak when a goroutine is still in them at exit: (entry function,
# wait reason) -> why. $GOROOT/src/net/http/transport.go, (*persistConn).readLoop: after handing
# a response over it waits in `select { case err := <-waitForBodyRead: ... }` until the body is
# read to EOF or closed; an idle keep-alive connection's readLoop waits in pc.br.Peek(1) instead
# ([IO wait]), and the hand-over selects wait only for a caller who is already there.
KNOWN_LEAK_SHAPES: dict[tuple[str, str], str] = {
    ("net/http.(*persistConn).readLoop", "select"):
        "a response body nobody read to the end or closed keeps its connection's read loop waiting",
}

# Waits that an idle worker never rests in: only another goroutine's mistake leaves one there.
_BLOCKED_WAITS = ("chan send", "chan receive (nil chan)", "select (no cases)", "sync.Mutex.Lock",
                  "sync.RWMutex.Lock", "sync.RWMutex.RLock", "sync.WaitGroup.Wait", "semacquire")
_IDLE_SYNC_WAITS = ("chan receive", "select", "sync.Cond.Wait")

RANK = ("proven", "growing", "blocked", "parked", "inconclusive")


@dataclass
class Evidence:
    """One finding, with its numbers, for people (`line`) and scripts (the rest)."""

    kind: str            # proven | growing | blocked | parked | inconclusive | ignored
    leak: bool           # whether it makes the verdict "leak"
    subject: str         # goroutines | heap | fds | children | site (a blocking site)
    line: str            # one line, with numbers
    count: int | None = None           # goroutines at the site (at the end, or the last profile)
    rate: float | None = None          # growth per second (units of the subject)
    growth: float | None = None        # growth over the window
    site: dict | None = None           # function, location, wait_reason, created_by, top
    suggest_duration: float | None = None  # inconclusive: seconds a run should last to tell
    heap_sites: list[dict] | None = None   # heap growth: top growing allocation sites (added by measure)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


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
    confidence: str = "clean"         # proven | growing | blocked | parked | inconclusive | clean
    evidence: list[Evidence] = field(default_factory=list)
    fds: Trend | None = None
    children: Trend | None = None
    site_classes: dict[int, Evidence] = field(default_factory=dict)  # index in sites -> its class
    strict: bool = False

    @property
    def leak(self) -> bool:
        return self.verdict == "leak"

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "confidence": self.confidence, "headline": self.headline,
                "reasons": self.reasons,
                "goroutines": self.goroutines.to_dict() if self.goroutines else None,
                "heap": self.heap.to_dict() if self.heap else None,
                "fds": self.fds.to_dict() if self.fds else None,
                "children": self.children.to_dict() if self.children else None,
                "proven": self.proven, "suspects": self.suspects, "strict": self.strict,
                "evidence": [e.to_dict() for e in self.evidence]}

    def site_dicts(self) -> list[dict]:
        """The sites at the end, each with its class, whether it counts and why."""
        out = []
        for i, s in enumerate(self.sites):
            d = s.to_dict()
            ev = self.site_classes.get(i)
            if ev:
                d.update({"class": ev.kind, "leak": ev.leak, "why": ev.line})
            out.append(d)
        return out


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


def _points(samples: list[dict], key: str) -> list[tuple[float, float]]:
    # Live heap is only known once a GC has marked it: readings before the first GC are 0.
    return [(s["t"], float(s[key])) for s in samples
            if key in s and (key != "heap_live" or s.get("gc_cycles", 1) > 0)]


def trend(samples: list[dict], key: str, th: Thresholds = Thresholds(), dedupe: bool = False) -> Trend | None:
    """Trend of one metric over the run after warm-up; None if too few points."""
    pts = _points(samples, key)
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
        return Trend(key, 0.0, 0.0, 0.0, 0.0, len(pts), False, pts[-1][0] - pts[0][0])
    ts, ys = _thin([p[0] for p in pts], [p[1] for p in pts])
    slope = theil_sen(ts, ys)
    window = ts[-1] - ts[0]
    half = len(ts) // 2
    tail = theil_sen(ts[half:], ys[half:]) if len(ts) - half >= 2 else slope
    z = mann_kendall_z(ys)
    return Trend(key, slope, slope * window, z, tail, len(ts), False, window)


# --- growth of one blocking site over the periodic goroutine profiles --------------------------

@dataclass
class SiteGrowth:
    key: str             # "entry function @ file:line"
    top: str
    first: int           # count at the first profile
    last: int            # count at the last point
    peak: int
    rate: float          # goroutines per second (Theil-Sen)
    z: float
    rises: int
    t0: float
    t1: float


def site_growth(series: list[tuple[float, dict[str, int]]], key: str,
                end: tuple[float, int] | None = None) -> SiteGrowth | None:
    """How one site's count moved over the profiles (absent = 0), `end` appended (the count still
    blocked at exit); None with fewer than three points."""
    pts = [(t, counts.get(key, 0)) for t, counts in series]
    if end is not None and (not pts or end[0] > pts[-1][0]):
        pts.append(end)
    if len(pts) < 3:
        return None
    ts, ys = [p[0] for p in pts], [float(p[1]) for p in pts]
    rises = sum(b > a for a, b in zip(ys, ys[1:]))
    return SiteGrowth(key, "", int(ys[0]), int(ys[-1]), int(max(ys)), theil_sen(ts, ys), mann_kendall_z(ys),
                      rises, ts[0], ts[-1])


def _grew(g: SiteGrowth | None, th: Thresholds, need: float) -> bool:
    """The count rose in at least three steps, significantly, by `need`, and is still up at the end."""
    if g is None or g.rises < 3 or g.z < th.site_z:
        return False
    return g.peak - g.first >= need and g.last - g.first >= need / 2


FLAT_MIN_S = 1.0  # a worker is seen unchanged for at least this long (and half the run) to count as one


def _flat(series: list[tuple[float, dict[str, int]]], key: str, count: int, span: tuple[float, float]) -> bool:
    """The site was there with this count, unchanged, in every profile over at least half the run
    and a second: a program that ends sooner shows nothing of the kind."""
    seen = [(t, c.get(key, 0)) for t, c in series if c.get(key, 0)]
    # Profiles are taken when the goroutine count changes: one profile and no later change is
    # a count that stayed.
    if not seen or span[1] <= span[0]:
        return False
    first = seen[0][0]
    tail = [(t, c.get(key, 0)) for t, c in series if t >= first]
    return (all(n == count for _, n in tail) and span[1] - first >= FLAT_MIN_S
            and (span[1] - first) >= 0.5 * (span[1] - span[0]))


def _z_max(n: int) -> float:
    """The largest Mann-Kendall z that n distinct readings can reach (every one above the last)."""
    return (n * (n - 1) / 2 - 1) / math.sqrt(n * (n - 1) * (2 * n + 5) / 18) if n >= 3 else 0.0


def _own(fn: str, own: tuple[str, ...]) -> bool:
    return any(fn.startswith(p) for p in own)


def _site_dict(s: LeakSite) -> dict:
    return {"function": s.function, "location": s.location, "wait_reason": s.wait_reason,
            "created_by": s.created_by_function, "created_at": s.created_by, "top": s.top}


def _where(s: LeakSite) -> str:
    return f"{s.function} ({s.location}) [{s.wait_reason}]"


def _key_where(key: str) -> str:
    fn, _, loc = key.partition(" @ ")
    return f"{fn} ({loc})"


def _suggest(span: float, factor: float = 3.0) -> float:
    """A run length that should tell a fill from a leak: a few times this one, whole seconds."""
    return float(max(5, math.ceil(max(span * factor, span + 5))))


def _judge(samples: list[dict], key: str, th: Thresholds, min_growth: float, start: float = 0.0,
           dedupe: bool = False, extra: list[dict] | None = None) -> Trend | None:
    t = trend(samples + (extra or []), key, th, dedupe=dedupe)
    if t:
        t.growing = (t.z >= th.z and t.growth >= max(min_growth, start)
                     and t.tail_slope >= th.tail_keep * t.slope)
    return t


_NAMES = {"goroutines": ("goroutines", "goroutines"), "heap_live": ("live heap", "live heap after GC"),
          "fds": ("open files", "open file descriptors"), "children": ("child processes", "child processes")}


def _amount(key: str, x: float) -> str:
    return _bytes(x) if key == "heap_live" else f"{x:,.0f}"


def _rate(key: str, x: float) -> str:
    return f"{_bytes(x)}/s" if key == "heap_live" else f"{_num(x)}/s"


def decide(samples: list[dict], sites: list[LeakSite], ended: str | None,
           th: Thresholds = Thresholds(), final: dict | None = None,
           series: list[tuple[float, dict[str, int]]] | None = None,
           series_tops: dict[str, str] | None = None, own: tuple[str, ...] = ("main.",),
           ignore: Ignore | None = None, strict: bool = False) -> Verdict:
    """The verdict for one run. `ended` is how the program ended ("exited", "deadline", ...);
    `final` is the probe's post-GC sample at the end: one more exact live-heap point while the
    program is still running (deadline); after main returned it describes another state.
    `series`: periodic goroutine profiles [(t, {"entry @ file:line": count})], `series_tops`
    their top functions; `own`: function-name prefixes of the program's own code (its main
    package and module); `ignore`: goleak-style ignores; `strict`: goleak's rule, every goroutine
    still blocked at exit counts (and inconclusive growth too)."""
    series = series or []
    series_tops = series_tops or {}
    ignore = ignore or Ignore()
    reasons: list[str] = []
    evidence: list[Evidence] = []
    exited = ended == "exited"
    span = (samples[0]["t"], samples[-1]["t"]) if samples else (0.0, 0.0)

    # --- totals ---
    start_heap = next((float(s["heap_live"]) for s in samples if s.get("gc_cycles") and s.get("heap_live")), 0.0)
    g = _judge(samples, "goroutines", th, th.min_goroutines)
    h = _judge(samples, "heap_live", th, th.min_heap_bytes, th.min_heap_rel * start_heap, dedupe=True,
               extra=[final] if final and ended == "deadline" else None)
    fd = _judge(samples, "fds", th, th.min_fds)
    ch = _judge(samples, "children", th, th.min_children)
    trends = [t for t in (g, h, fd, ch) if t]
    for t in trends:
        short, long_ = _NAMES[t.metric]
        if t.growing and t.tail_slope < th.tail_sure * t.slope:
            # Still rising, but at less than half the run's rate: a pool or cache that fills up
            # slows down like this before it levels off.
            t.growing = False
            dur = _suggest(t.window)
            evidence.append(Evidence(
                "inconclusive", strict, t.metric,
                f"{long_} grew {_amount(t.metric, t.growth)} over {t.window:.1f} s ({_rate(t.metric, t.slope)}, "
                f"z={t.z:.1f}) but the last half rose at {_rate(t.metric, t.tail_slope)}: slowing down, as a "
                f"pool or cache filling up does; run it for {dur:g} s to tell", rate=t.slope, growth=t.growth,
                suggest_duration=dur))
        elif (not t.growing and t.points >= 4 and _z_max(t.points) < th.z and t.z >= 0.8 * _z_max(t.points)
              and t.growth >= {"goroutines": th.min_goroutines, "heap_live": th.min_heap_bytes,
                               "fds": th.min_fds, "children": th.min_children}[t.metric]
              and t.tail_slope >= th.tail_keep * t.slope):
            # Rising at (nearly) every reading, but too few readings for the trend test to reach
            # its bar (the live heap is read once per collection).
            dur = _suggest(t.window)
            hint = (" (the probe forces a collection every --duration/25, up to 250 ms apart: a --duration "
                    "near the program's own run time gives it more)" if t.metric == "heap_live" and exited else "")
            evidence.append(Evidence(
                "inconclusive", strict, t.metric,
                f"{long_} rose at nearly every one of its {t.points} readings ({_amount(t.metric, t.growth)} over "
                f"{t.window:.1f} s, {_rate(t.metric, t.slope)}): too few readings to judge; run it for {dur:g} s"
                + hint, rate=t.slope, growth=t.growth, suggest_duration=dur))
        elif t.growing:
            evidence.append(Evidence(
                "growing", True, t.metric,
                f"{long_} grew {_amount(t.metric, t.growth)} over {t.window:.1f} s ({_rate(t.metric, t.slope)}, "
                f"Mann-Kendall z={t.z:.1f}, last half {_rate(t.metric, t.tail_slope)})",
                rate=t.slope, growth=t.growth))
    if ended == "deadline":  # stopped while rising, with too few points for a trend test
        for key, tr, need in (("goroutines", g, th.min_goroutines), ("fds", fd, th.min_fds),
                              ("children", ch, th.min_children)):
            pts = _points(samples, key)
            if tr is None and len(pts) >= 2 and pts[-1][1] - pts[0][1] >= need and pts[-1][1] >= max(p[1] for p in pts):
                win = pts[-1][0] - pts[0][0]
                dur = _suggest(win, 10)
                evidence.append(Evidence(
                    "inconclusive", strict, key,
                    f"{_NAMES[key][1]} rose {pts[0][1]:,.0f} -> {pts[-1][1]:,.0f} in {win:.2f} s and were still "
                    f"rising when it was stopped: too few samples ({len(pts)}) to tell a fill from a leak; "
                    f"run it for {dur:g} s", growth=pts[-1][1] - pts[0][1], suggest_duration=dur))

    # --- sites over time (periodic goroutine profiles) ---
    end_t = (final or {}).get("t", span[1]) if final else span[1]
    at_exit: dict[str, list[int]] = {}  # a site's goroutines at the end, by key (any wait reason)
    for i, s in enumerate(sites):
        at_exit.setdefault(s.key, []).append(i)
    growth_of: dict[str, SiteGrowth] = {}
    for key in {k for _, counts in series for k in counts} | set(at_exit):
        end = (end_t, sum(sites[i].count for i in at_exit[key])) if key in at_exit and exited else None
        sg = site_growth(series, key, end)
        if sg:
            sg.top = series_tops.get(key) or (sites[at_exit[key][0]].top if key in at_exit else "")
            growth_of[key] = sg
    goroutines_grew = bool(g and g.growing)

    # --- the sites still there at the end ---
    site_classes: dict[int, Evidence] = {}
    for i, s in enumerate(sites):
        d = _site_dict(s)
        ignored = ignore.match(s.top, s.created_by_function)
        sg = growth_of.get(s.key)
        idle = s.wait_reason.startswith(_IDLE_SYNC_WAITS) and not s.wait_reason.startswith(_BLOCKED_WAITS)
        blocked = s.wait_reason.startswith(_BLOCKED_WAITS)
        # The program's own: started by its code, or running its code (a closure it handed to a
        # library's pool runs in the library's entry function).
        mine = (_own(s.function, own) or _own(s.created_by_function, own)
                or any(_own(fr.split(" (")[0], own) for fr in s.stack))
        n = s.count
        worker = BUILTIN_WORKERS.get(s.top) or BUILTIN_WORKERS.get(s.function)
        grew = exited and _grew(sg, th, th.site_min)  # the key's count, whatever each one waits on
        if ignored:
            ev = Evidence("ignored", False, "site", f"{n:,} at {_where(s)}: ignored ({ignored})", n, site=d)
        elif exited and worker and not grew:
            # Proven or not: when main returns, whatever main held becomes unreachable, so the
            # worker of a DB that served the whole run is "proven leaked" then too. Only growth
            # (one more per request) tells a worker created again and again.
            proof = " (proven unreachable once main returned: its owner went with main)" if s.proven else ""
            ev = Evidence("parked", strict, "site", f"{n:,} at {_where(s)}: a known long-lived worker ({worker})"
                          f"{proof}; its count did not grow: "
                          + ("counted (--strict)" if strict else "not a leak unless it grows (--strict counts it)"),
                          n, site=d)
        elif s.proven and not (exited and not grew and _flat(series, s.key, n, (span[0], end_t))):
            ev = Evidence("proven", True, "site", f"{n:,} proven leaked at {_where(s)}", n, site=d)
        elif s.proven:
            # Unreachable once main returned, but there, unchanged, from early in the run on: the
            # worker of something main held until it returned, as a worker of a long-lived object is.
            ev = Evidence("parked", strict, "site", f"{n:,} at {_where(s)}: proven unreachable once main returned, "
                          "but there, unchanged, for most of the run: the worker of something main held until it "
                          "returned; " + ("counted (--strict)" if strict else
                                          "not a leak unless it grows (--strict counts it)"), n, site=d)
        elif grew:
            ev = Evidence("growing", True, "site",
                          f"{n:,} still blocked after main returned at {_where(s)}, and their count grew during "
                          f"the run ({sg.first:,} -> {sg.peak:,}, {_num(sg.rate)}/s): accumulated by the work",
                          n, rate=sg.rate, site=d)
        elif exited and (blocked or (s.function, s.wait_reason) in KNOWN_LEAK_SHAPES):
            why = KNOWN_LEAK_SHAPES.get((s.function, s.wait_reason), "no idle worker waits there: another "
                                        "goroutine's mistake left them")
            ev = Evidence("blocked", True, "site", f"{n:,} still blocked after main returned at {_where(s)} "
                          f"(suspected, not proven: {why})", n, site=d)
        elif exited and idle and mine and not _flat(series, s.key, n, (span[0], end_t)):
            ev = Evidence("parked", True, "site", f"{n:,} still blocked after main returned at {_where(s)} "
                          "(suspected, not proven: the program's own goroutines, which it could have ended; "
                          "goleak's rule)", n, site=d)
        elif exited:
            if not (idle or blocked):
                why = f"[{s.wait_reason}] is not a wait on another goroutine"
            elif mine:
                why = "there, unchanged, for most of the run: the program's own long-lived worker"
            else:
                creator = f" started by {s.created_by_function}" if s.created_by_function else ""
                why = (f"a library's goroutine{creator}, waiting for work the way a background worker (a "
                       "pool, janitor, watcher or connection loop) does until its owner is closed; its count "
                       "did not grow")
            ev = Evidence("parked", strict, "site", f"{n:,} parked at exit at {_where(s)}: {why}; "
                          + ("counted (--strict)" if strict else "not a leak unless it grows (--strict counts it)"),
                          n, site=d)
        else:  # the deadline stopped it: what runs at a deadline is the program's normal state
            ev = Evidence("running", False, "site", f"{n:,} at {_where(s)} when the run was stopped", n, site=d)
        site_classes[i] = ev
        if ev.kind != "running":
            evidence.append(ev)

    # Sites whose count grew during the run, also those gone at the end.
    named = []
    for key, sg in sorted(growth_of.items(), key=lambda kv: -kv[1].rate):
        if key in at_exit and any(site_classes[i].kind in ("growing", "ignored") for i in at_exit[key]):
            continue
        # Named where the goroutine count grew (a site alone is not judged: its growth is part of
        # the total's, and the total's trend says whether it levelled off).
        if not goroutines_grew or ignore.match(sg.top, "") or not _grew(sg, th, th.site_min):
            continue
        gone = "" if key in at_exit else " (gone at the end)"
        named.append(Evidence("growing", True, "site",
                              f"goroutines at {_key_where(key)} grew {sg.first:,} -> {sg.peak:,} between "
                              f"{sg.t0:.2f} s and {sg.t1:.2f} s ({_num(sg.rate)}/s){gone}", sg.last, rate=sg.rate,
                              site={"function": key.partition(" @ ")[0], "location": key.partition(" @ ")[2],
                                    "top": sg.top}))
    evidence += named[:5]

    # --- verdict, confidence, headline ---
    counted = [e for e in evidence if e.leak]
    leak = bool(counted)
    kinds = [e.kind for e in (counted or evidence) if e.kind in RANK]
    confidence = min(kinds, key=RANK.index) if kinds else "clean"
    proven = sum(s.count for s in sites if s.proven)
    suspects = sum(s.count for s in sites if not s.proven)

    parts = []
    for t in (g, h, fd, ch):
        if t and t.growing:
            parts.append({"goroutines": f"+{_num(t.slope)} goroutines/s",
                          "heap_live": f"+{_bytes(t.slope)}/s live heap",
                          "fds": f"+{_num(t.slope)} open files/s",
                          "children": f"+{_num(t.slope)} child processes/s"}[t.metric])
    for t in (g, h):
        if t and t.growing:
            reasons.append(f"goroutines grew {t.growth:+,.0f} over the run ({t.slope:+,.1f}/s, Mann-Kendall z={t.z:.1f})"
                           if t.metric == "goroutines" else
                           f"live heap after GC grew {_bytes(t.growth)} ({_bytes(t.slope)}/s, z={t.z:.1f})")
    for t in (fd, ch):
        if t and t.growing:
            reasons.append(f"{_NAMES[t.metric][1]} grew {t.growth:+,.0f} over the run ({t.slope:+,.1f}/s, "
                           f"Mann-Kendall z={t.z:.1f})")
    proven_ev = [site_classes[i] for i, s in enumerate(sites) if site_classes[i].kind == "proven"]
    if proven_ev:
        n_proven = sum(e.count for e in proven_ev)
        top = next(s for i, s in enumerate(sites) if site_classes[i].kind == "proven")  # sites come largest first
        more = len(proven_ev) - 1
        where = _where(top)
        if more:  # each count next to its own site, never the total next to one site
            parts.append(f"{n_proven:,} proven leaked: {top.count:,} at {where}, "
                         f"{n_proven - top.count:,} at {more} more site{'s' * (more > 1)}")
        else:
            parts.append(f"{n_proven:,} proven leaked at {where}")
        reasons.append(f"goroutineleak profile: {n_proven:,} goroutines blocked forever at {len(proven_ev)} site(s)")
    stuck = [(i, s) for i, s in enumerate(sites)
             if site_classes[i].leak and site_classes[i].kind in ("growing", "blocked", "parked")]
    if stuck:
        n = sum(s.count for _, s in stuck)
        s0 = stuck[0][1]
        parts.append(f"{n:,} still blocked after main returned at {_where(s0)} (suspected, not proven)")
    if suspects:
        top = next(s for s in sites if not s.proven)
        when = "after main returned" if exited else "at the deadline"
        reasons.append(f"{suspects:,} goroutines still blocked {when}, not proven leaked "
                       f"(e.g. {top.function} at {top.location} [{top.wait_reason}])")
    for e in evidence:
        if e.kind == "inconclusive" and e.leak:
            parts.append("inconclusive growth (--strict): " + e.line)
    for e in named[:3]:
        reasons.append(e.line)
    parked = [e for e in evidence if e.kind == "parked" and not e.leak]
    ignored = [e for e in evidence if e.kind == "ignored"]
    for e in parked + ignored:
        reasons.append(e.line)
    if leak:
        headline = "LEAK: " + ", ".join(parts)
    else:
        inconclusive = [e for e in evidence if e.kind == "inconclusive"]
        gcs = _gc_cycles(samples)
        if inconclusive:
            headline = "inconclusive: " + inconclusive[0].line
        elif g is None:
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
        if parked and exited:
            n = sum(e.count or 0 for e in parked)
            headline += (f"; {n:,} goroutine{'s' * (n != 1)} parked at exit (may be background workers, "
                         "not counted: --strict counts them)")
        elif suspects and not exited:
            headline += f"; {suspects:,} goroutines still blocked at the end (not proven)"
        reasons.append("no proven leak, no sustained growth")
    return Verdict("leak" if leak else "clean", headline, reasons, g, h, proven, suspects, sites,
                   confidence, evidence, fd, ch, site_classes, strict)


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
    return wait_reason.startswith(_BLOCKED_WAITS + _IDLE_SYNC_WAITS)


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def _bytes(x: float) -> str:
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(x) >= div:
            return f"{x / div:,.1f} {unit}"
    return f"{x:,.0f} B"


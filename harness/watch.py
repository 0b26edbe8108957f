"""`python -m harness watch URL`: follow a running Go service through its net/http/pprof endpoint.

Every `every` seconds it reads /debug/pprof/heap (protobuf, read with `go tool pprof -top
-lines`: in-use bytes per allocation site and in total, sampled as heap profiles are, as of the
service's last GC) and /debug/pprof/goroutine?debug=1 (goroutines per site: entry function @
first frame outside the service's Go root). Every k-th poll it first forces a full GC:
/debug/pprof/goroutineleak?debug=1 where the service's Go serves it (Go 1.27: its leak-detecting
GC proves goroutines blocked forever, counted per site), else heap?gc=1; the heap profile read
right after it is the live heap of that moment. The verdict is the lab's (harness/verdict.py) on
the totals over time plus the proven sites, read once in full at the end (goroutineleak?debug=2);
growth is also named per site, with its rate (Theil-Sen slope, Mann-Kendall z).

What it costs the service: the two plain reads about 1-2 ms of its CPU per poll; the forced GC
as much as marking its heap (3 ms at an empty heap, 10 ms at 10 MB here). k starts at 1 and
grows when the forced read's answer takes more than GC_BUDGET of the interval, so that watching
stays under a percent of the service's time (measured in benchmarks/testcheck_watch.py).
"""

from __future__ import annotations

import math
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import collect
from .errors import LeakLabError
from .toolchain import Go, find_go
from .verdict import Thresholds, Verdict, decide, mann_kendall_z, theil_sen

# Share of the interval the forced GC (the leak profile's, or heap?gc=1) may take on average: its
# answer's wall time stands for the service's CPU time (measured equal on an idle service here,
# benchmarks/testcheck_watch.py), and the other two reads take about 0.2 % more at 1 s.
GC_BUDGET = 0.008
TIMEOUT_S = 10.0
_TOTAL = re.compile(r"^(goroutine|goroutineleak) profile: total (\d+)")
_PPROF_TOTAL = re.compile(r"of ([\d.]+)([kMGT]?B|) total")
_UNITS = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}
_TOP_ROW = re.compile(r"^\s*([\d.]+)([kMGT]?B|)\s+[\d.]+%\s+[\d.]+%\s+[\d.]+[kMGT]?B?\s+[\d.]+%\s+(\S+)\s+(\S+):(\d+)"
                      r"(?: \(inline\))?\s*$")


class WatchError(LeakLabError):
    """The URL cannot be watched: not HTTP(S), nothing answers, not a Go net/http/pprof."""


def pprof_base(url: str) -> str:
    """The /debug/pprof/ URL of a service given as its root (http://host:port) or any URL
    under /debug/pprof/. Refuses anything but http:// and https://."""
    u = urllib.parse.urlsplit(url.strip())
    if u.scheme not in ("http", "https") or not u.netloc:
        raise WatchError(f"watch needs an http:// or https:// URL, got {url!r}")
    path = u.path
    i = path.find("/debug/pprof")
    path = path[:i] if i >= 0 else path.rstrip("/")
    return urllib.parse.urlunsplit((u.scheme, u.netloc, path + "/debug/pprof/", "", ""))


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: dict
    seconds: float


def _get(url: str, timeout: float = TIMEOUT_S) -> _Answer:
    req = urllib.request.Request(url, headers={"User-Agent": "goleaklab-watch"})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return _Answer(resp.status, resp.read(), dict(resp.headers), time.monotonic() - t0)
    except urllib.error.HTTPError as err:
        body = err.read() if err.fp else b""
        return _Answer(err.code, body, dict(err.headers or {}), time.monotonic() - t0)


def _unreachable(base: str, err: Exception) -> WatchError:
    reason = getattr(err, "reason", err)
    return WatchError(f"nothing answers at {base.removesuffix('debug/pprof/')}: {reason}")


@dataclass
class Endpoints:
    """What the service serves, found by the first poll."""

    base: str
    heap: bool
    leak: bool
    notes: list[str]
    goroot: str


def discover(url: str) -> Endpoints:
    """Check that `url` is a Go program serving net/http/pprof; one clear line otherwise."""
    base = pprof_base(url)
    root = base.removesuffix("debug/pprof/")
    try:
        g = _get(base + "goroutine?debug=1")
    except (urllib.error.URLError, OSError) as err:
        raise _unreachable(base, err) from None
    text = g.body[:200].decode(errors="replace")
    server = g.headers.get("Server", "")
    if g.status == 404:
        if text == "404 page not found\n" and not server:  # Go's net/http answers 404 exactly so
            raise WatchError(f"{root} is a Go net/http server without net/http/pprof ({base}goroutine is 404): "
                             'import _ "net/http/pprof" and serve http.DefaultServeMux, or register its handlers')
        raise WatchError(f"{root} does not look like a Go program: {base}goroutine is 404"
                         + (f" (server: {server})" if server else ""))
    if g.status != 200:
        raise WatchError(f"{base}goroutine answered HTTP {g.status}" + (f" (server: {server})" if server else ""))
    if not _TOTAL.match(text):
        kind = g.headers.get("Content-Type", "no content type")
        raise WatchError(f"{base}goroutine did not answer with a Go goroutine profile ({kind}: "
                         f"{text.strip()[:40]!r}): not a Go program's net/http/pprof"
                         + (f" (server: {server})" if server else ""))
    notes = []
    goroot = _goroot_of(g.body.decode(errors="replace"))
    try:
        h, k = _get(base + "heap"), _get(base + "goroutineleak?debug=1")
    except (urllib.error.URLError, OSError) as err:
        raise _unreachable(base, err) from None
    heap = h.status == 200 and h.body[:2] == b"\x1f\x8b"
    if not heap:
        notes.append(f"{base}heap is {'HTTP %d' % h.status if h.status != 200 else 'not a heap profile'}: "
                     "the heap is not watched")
    leak = k.status == 200 and k.body.startswith(b"goroutineleak profile:")
    if not leak:
        notes.append("the service's Go serves no goroutineleak profile (Go 1.27 does): "
                     "growth only, no proof of leaks")
    return Endpoints(base, heap, leak, notes, goroot)


def _goroot_of(profile: str) -> str:
    """The service's GOROOT, from where its runtime's frames are (…/src/runtime/x.go): it was
    built elsewhere, maybe, and its standard-library frames must still be told from its own."""
    m = re.search(r"\s(/\S*?)/src/runtime/\w+\.go:\d+", profile)
    return m.group(1) if m else "/nonexistent-goroot"


# --- one poll ------------------------------------------------------------------------------

@dataclass
class Poll:
    t: float                                   # seconds since the watch started
    goroutines: int
    sites: dict[str, int]                      # "entry function @ file:line" -> goroutines
    heap: float | None = None                  # in-use bytes in the heap profile (as of the last GC)
    heap_sites: dict[str, float] = field(default_factory=dict)  # "function (file:line)" -> in-use bytes
    leaked: int | None = None                  # goroutineleak profile's total (None: not read this poll)
    leak_sites: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)     # each endpoint's answer time
    forced_gcs: int | None = None              # GCs forced so far, when this poll forced one

    def sample(self) -> dict:
        s = {"t": round(self.t, 3), "goroutines": self.goroutines}
        if self.heap is not None and self.forced_gcs is not None:  # the live heap right after a GC
            s["heap_live"], s["gc_cycles"] = self.heap, self.forced_gcs
        if self.leaked is not None:
            s["leaked"] = self.leaked
        return s


def parse_heap_top(text: str) -> tuple[float | None, dict[str, float]]:
    """`go tool pprof -top -lines` of a heap profile: (total in-use bytes, {"function
    (file:line)": flat bytes})."""
    m = _PPROF_TOTAL.search(text)
    total = float(m.group(1)) * _UNITS.get(m.group(2) or "B", 1) if m else None
    rows = {}
    for line in text.splitlines():
        r = _TOP_ROW.match(line)
        if r and float(r.group(1)) > 0:
            key = f"{r.group(3)} ({Path(r.group(4)).name}:{r.group(5)})"
            rows[key] = rows.get(key, 0.0) + float(r.group(1)) * _UNITS.get(r.group(2) or "B", 1)
    return total, rows


def _heap_top(go: Go, body: bytes) -> tuple[float | None, dict[str, float]]:
    with tempfile.NamedTemporaryFile(prefix="leaklab-watch-", suffix=".pb.gz") as f:
        f.write(body)
        f.flush()
        res = go.tool("pprof", "-top", "-lines", "-nodecount=40", "-sample_index=inuse_space", f.name, timeout=60)
    if res.returncode != 0:
        return None, {}
    return parse_heap_top(res.stdout)


class _Watcher:
    """Polls one service; `poll(t)` adds one Poll or records why it stopped."""

    def __init__(self, url: str, label: str, every: float, go: Go, gc_budget: float = GC_BUDGET):
        self.url, self.label, self.every, self.go, self.gc_budget = url, label, every, go, gc_budget
        self.ep = discover(url)
        self.polls: list[Poll] = []
        self.lost: str = ""
        self.skip = 1    # force a GC every k-th poll (see GC_BUDGET)
        self.n = 0
        self.gcs = 0     # GCs the watch forced so far

    def poll(self, t: float) -> None:
        """One poll. Every k-th one forces a full GC on the service, through the leak profile
        (or, without one, heap?gc=1), so that the heap profile read right after it is the live
        heap of that moment; k grows when that read takes more than GC_BUDGET of the interval.
        The others read the heap profile as of the service's own last GC, and the goroutines."""
        if self.lost:
            return
        base, secs = self.ep.base, {}
        gc_read = self.n % self.skip == 0
        try:
            leaked, leak_sites, heap, heap_sites = None, {}, None, {}
            if gc_read and self.ep.leak:
                a = _get(base + "goroutineleak?debug=1")
                secs["goroutineleak"] = a.seconds
                text = a.body.decode(errors="replace")
                if a.status == 200 and (m := _TOTAL.match(text)):
                    leaked = int(m.group(2))
                    leak_sites = collect.parse_goroutine_profile(text, self.ep.goroot)
            if self.ep.heap:
                a = _get(base + ("heap?gc=1" if gc_read and not self.ep.leak else "heap"))
                secs["heap"] = a.seconds
                if a.status == 200:
                    heap, heap_sites = _heap_top(self.go, a.body)
            if gc_read and (self.ep.leak or self.ep.heap):
                self.gcs += 1
                forced = secs.get("goroutineleak", secs.get("heap", 0.0))
                self.skip = max(1, min(60, math.ceil(forced / (self.gc_budget * self.every))))
            a = _get(base + "goroutine?debug=1")
            secs["goroutine"] = a.seconds
            text = a.body.decode(errors="replace")
            m = _TOTAL.match(text)
            if a.status != 200 or not m:
                raise WatchError(f"{base}goroutine answered HTTP {a.status}")
        except (urllib.error.URLError, OSError, WatchError) as err:
            self.lost = f"the service stopped answering after {t:.1f} s: {getattr(err, 'reason', err)}"
            return
        self.n += 1
        self.polls.append(Poll(t, int(m.group(2)), collect.parse_goroutine_profile(text, self.ep.goroot),
                               heap, heap_sites, leaked, leak_sites, secs, self.gcs if gc_read else None))

    def proven_sites(self) -> list[collect.LeakSite]:
        """The proven leaks with their wait reasons, from one full dump at the end
        (goroutineleak?debug=2): read once, not every poll."""
        if not self.ep.leak or self.lost or not next((p.leaked for p in reversed(self.polls) if p.leaked is not None), 0):
            return []
        try:
            a = _get(self.ep.base + "goroutineleak?debug=2", timeout=30)
        except (urllib.error.URLError, OSError):
            return []
        from .testcheck import parse_labels  # Go 1.27 dumps carry pprof labels in their headers
        dump, _ = parse_labels(a.body.decode(errors="replace"))
        return [s for s in collect.leak_sites(collect.parse_goroutines(dump), self.ep.goroot) if s.proven]


# --- the result ----------------------------------------------------------------------------

@dataclass
class Growth:
    """One site whose count (or in-use bytes) grew while it was watched."""

    kind: str            # goroutines | leaked | heap
    site: str
    first: float
    last: float
    rate: float          # per second (Theil-Sen)
    z: float             # Mann-Kendall

    def line(self) -> str:
        if self.kind == "heap":
            return f"{_bytes(self.rate)}/s  {self.site} ({_bytes(self.first)} -> {_bytes(self.last)} in use)"
        what = "proven leaked" if self.kind == "leaked" else "goroutines"
        return f"{self.rate:+,.1f}/s  {self.site} ({self.first:,.0f} -> {self.last:,.0f} {what})"


@dataclass
class Watch:
    """What watching one service saw: the polls, the growth per site, the verdict."""

    url: str
    label: str
    every: float
    duration: float
    polls: list[Poll]
    notes: list[str]
    exit: str                 # watched | interrupted | lost
    message: str
    verdict: Verdict
    growth: list[Growth]
    leak_profile: bool
    proven: list[collect.LeakSite]
    wall_s: float

    @property
    def samples(self) -> list[dict]:
        return [p.sample() for p in self.polls]

    @property
    def ok(self) -> bool:
        return self.exit != "lost"

    def report(self) -> dict:
        """The JSON report (`watch --json`): `check`'s keys, plus the polls and growth."""
        last = self.polls[-1] if self.polls else None
        return {
            "target": self.url, "args": [], "label": self.label, "mode": "watch",
            "verdict": self.verdict.verdict, "headline": self.verdict.headline, "reasons": self.verdict.reasons,
            "go_version": "unknown (a running service)", "exit": self.exit, "returncode": None,
            "message": self.message, "wall_s": round(self.wall_s, 3), "cpu_s": None, "peak_rss": None,
            "trends": self.verdict.to_dict(),
            "goroutine_leaks": [s.to_dict() for s in self.proven],
            "series": self.samples, "final": None, "paced_by": None, "gctrace": [],
            "heap_top": [{"function": k, "flat": v} for k, v in
                         sorted((last.heap_sites if last else {}).items(), key=lambda kv: -kv[1])[:10]],
            "every": self.every, "notes": self.notes, "leak_profile": self.leak_profile,
            "growth": [asdict(g) for g in self.growth],
            "polls": [asdict(p) for p in self.polls],
        }


def _bytes(x: float) -> str:
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(x) >= div:
            return f"{x / div:,.1f} {unit}"
    return f"{x:,.0f} B"


def site_growth(polls: list[Poll], kind: str, th: Thresholds = Thresholds()) -> list[Growth]:
    """The sites whose count (goroutines, leaked) or in-use bytes (heap) rose significantly over
    the polls (absent = 0): z >= th.z, still rising in the last half, by at least 4 goroutines
    or a quarter of th.min_heap_bytes. Fastest first."""
    attr = {"goroutines": "sites", "leaked": "leak_sites", "heap": "heap_sites"}[kind]
    polls = [p for p in polls if (p.heap is not None and p.forced_gcs is not None if kind == "heap" else
                                  p.leaked is not None if kind == "leaked" else True)]
    if len(polls) < 4:
        return []
    need = th.min_heap_bytes / 4 if kind == "heap" else 4
    keys = {k for p in polls for k in getattr(p, attr)}
    out = []
    for k in keys:
        ts = [p.t for p in polls]
        ys = [float(getattr(p, attr).get(k, 0)) for p in polls]
        rate, z = theil_sen(ts, ys), mann_kendall_z(ys)
        half = len(ts) // 2
        tail = theil_sen(ts[half:], ys[half:])
        if z >= th.z and rate * (ts[-1] - ts[0]) >= need and ys[-1] - ys[0] >= need and tail >= th.tail_keep * rate:
            out.append(Growth(kind, k, ys[0], ys[-1], rate, z))
    return sorted(out, key=lambda g: -g.rate)


def _judge(w: _Watcher, th: Thresholds, exit_: str, message: str, duration: float, wall: float) -> Watch:
    proven = w.proven_sites()
    samples = [p.sample() for p in w.polls]
    verdict = decide(samples, proven, "deadline", th)
    growth = site_growth(w.polls, "goroutines", th) + site_growth(w.polls, "leaked", th) + site_growth(w.polls, "heap", th)
    head = verdict.headline
    if len(w.polls) < th.min_points:
        head = (f"{'LEAK' if verdict.leak else 'not judged'}: {len(w.polls)} poll{'s' * (len(w.polls) != 1)}, "
                f"{th.min_points} needed for a trend" + (" — " + verdict.headline if verdict.leak else ""))
    named = [g for g in growth if g.kind != "leaked"][:2]
    if verdict.leak and named:
        head += "; growing: " + "; ".join(f"{g.site} {g.rate:+,.1f}/s" if g.kind != "heap" else
                                          f"{g.site} +{_bytes(g.rate)}/s" for g in named)
    from dataclasses import replace
    verdict = replace(verdict, headline=head)
    return Watch(w.url, w.label, w.every, duration, w.polls, list(w.ep.notes), exit_, message or w.lost,
                 verdict, growth, w.ep.leak, proven, wall)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
        ip = get_ipython()
        return ip is not None and hasattr(ip, "kernel")
    except ImportError:
        return False


def watch(urls: str | list[str], every: float = 1.0, duration: float = 30.0, labels: list[str] | None = None,
          live: bool | None = None, progress=None, thresholds: Thresholds = Thresholds(),
          go: Go | None = None, gc_budget: float = GC_BUDGET) -> Watch | list[Watch]:
    """Watch one service (a URL) or two side by side (a list: e.g. the leaky and the fixed
    version) for `duration` seconds, polling every `every` seconds. Returns a Watch (a list of
    them for a list of URLs): the polls, the series, growth per site with rates, the verdict.

    `gc_budget`: the share of the interval the forced GC may take on average (see GC_BUDGET);
    `live` (default: inside a notebook) draws the figure and redraws it as polls come in;
    `progress(elapsed_s, [Watch-in-progress polls...])` is called after each poll. The stop
    button (KeyboardInterrupt) ends the watch early and returns what was seen."""
    many = not isinstance(urls, str)
    urls = list(urls) if many else [urls]
    if not 1 <= len(urls) <= 4:
        raise WatchError("watch one URL, or a few (up to 4) side by side")
    if not 0.05 <= every <= 600:
        raise WatchError(f"--every must be between 50ms and 10 min, got {every:g} s")
    if duration < every:
        raise WatchError(f"--for ({duration:g} s) must be at least --every ({every:g} s)")
    labels = list(labels or [])
    labels += [urllib.parse.urlsplit(u).netloc or u for u in urls[len(labels):]]
    go = go or find_go()
    for u in urls:
        pprof_base(u)  # a bad URL is refused before anything is polled
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        watchers = list(pool.map(lambda ul: _Watcher(ul[0], ul[1], every, go, gc_budget), zip(urls, labels)))
    live = _in_kernel() if live is None else live
    display = _LiveFigure(watchers) if live else None
    start, exit_, message = time.monotonic(), "watched", ""
    try:
        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            k = 0
            while True:
                t = time.monotonic() - start
                list(pool.map(lambda w: w.poll(t), watchers))
                if progress:
                    progress(t, watchers)
                if all(w.lost for w in watchers):
                    exit_ = "lost"
                    break
                k += 1
                nxt = k * every
                if nxt > duration + 1e-9:
                    break
                # the next poll on the interval's grid; a late poll skips the slots it missed
                while nxt <= time.monotonic() - start:
                    k += 1
                    nxt = k * every
                if display:  # only when the redraw fits before the next poll
                    display.update(start + nxt)
                time.sleep(max(0.0, start + nxt - time.monotonic()))
    except KeyboardInterrupt:
        exit_, message = "interrupted", "stopped early: the verdict is on what was seen"
    wall = time.monotonic() - start
    results = [_judge(w, thresholds, "lost" if w.lost else exit_, message, duration, wall) for w in watchers]
    if display:
        display.finish(results)
    return results if many else results[0]


# --- figures -------------------------------------------------------------------------------

def plot_watch(watches, title: str | None = None, width: float = 5.2):
    """Columns = watched services (e.g. leaky and fixed), y shared per row: goroutines (and the
    proven leaked ones) and the heap in use, over time."""
    from matplotlib.ticker import EngFormatter, MaxNLocator

    from .plot import COLORS, color_for, plt
    watches = list(watches) if isinstance(watches, (list, tuple)) else [watches]
    w, h = width * len(watches), 6.7
    fig, axes = plt.subplots(2, len(watches), figsize=(w, h), sharex=True, sharey="row", squeeze=False)
    fig.subplots_adjust(left=1.0 / w, right=1 - 0.15 / w, bottom=0.55 / h, top=1 - (0.75 if title else 0.4) / h,
                        wspace=0.15 / ((w - 1.3) / len(watches)), hspace=0.08)
    for col, wt in enumerate(watches):
        label, polls = wt.label, wt.polls
        c = color_for(label, col)
        top, bottom = axes[0][col], axes[1][col]
        top.set_title(label, color=c, fontweight="bold", loc="left")
        verdict = getattr(wt, "verdict", None)
        if verdict is not None:
            top.set_title(verdict.verdict.upper(), fontweight="bold", loc="right",
                          color=COLORS["leaky"] if verdict.leak else COLORS["fixed"])
            import textwrap
            top.text(0.02, 0.97, textwrap.fill(verdict.headline, 46), transform=top.transAxes, va="top",
                     ha="left", fontsize=8.5, bbox=dict(boxstyle="round,pad=0.35", fc="white", ec=c, alpha=0.9))
        else:
            top.set_title("watching…", loc="right", color="#7f8c8d")
        ts = [p.t for p in polls]
        top.plot(ts, [p.goroutines for p in polls], color=c, lw=2, label="goroutines")
        lk = [(p.t, p.leaked) for p in polls if p.leaked is not None]
        hl = [(p.t, p.heap) for p in polls if p.heap is not None and p.forced_gcs is not None]
        if lk:
            top.plot([a for a, _ in lk], [b for _, b in lk], color=c, lw=1.2, ls="--", label="proven leaked")
        top.yaxis.set_major_locator(MaxNLocator(integer=True))
        top.grid(alpha=0.3)
        hp = [(p.t, p.heap) for p in polls if p.heap is not None]
        bottom.plot([a for a, _ in hp], [b for _, b in hp], color=c, lw=0.8, alpha=0.45,
                    label="heap profile, in use (as of the last GC)")
        bottom.plot([a for a, _ in hl], [b for _, b in hl], color=c, lw=2, marker=".",
                    label="live heap (right after a GC the watch forced)")
        bottom.yaxis.set_major_formatter(EngFormatter(unit="B"))
        bottom.grid(alpha=0.3)
        bottom.set_xlabel("time since the watch started (s)")
        if col == 0:
            top.set_ylabel("goroutines")
            bottom.set_ylabel("memory")
            top.legend(loc="lower right", fontsize=8)
            bottom.legend(loc="lower right", fontsize=8)
    for a in axes.flat:
        a.set_ylim(bottom=0)
    axes[0][0].set_ylim(top=max(1, axes[0][0].get_ylim()[1]) * 1.35)  # room for the verdict box
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


class _LiveFigure:
    """The figure in a notebook, redrawn as polls come in: at most once a second, and only when
    the redraw (a few tenths of a second of the kernel's time) ends before the next poll is due,
    so that drawing never delays a poll."""

    def __init__(self, watchers):
        from IPython.display import DisplayHandle
        self.watchers, self.last = watchers, 0.0
        t0 = time.monotonic()
        fig = plot_watch(watchers)
        self.handle = DisplayHandle()
        self.handle.display(fig)
        self._close(fig)
        self.cost = time.monotonic() - t0

    @staticmethod
    def _close(fig):
        from .plot import plt
        plt.close(fig)

    def update(self, next_poll: float) -> None:
        """Redraw, if there is time before `next_poll` (time.monotonic())."""
        now = time.monotonic()
        if now - self.last < 1.0 or now + 1.5 * self.cost > next_poll:
            return
        self.last = now
        fig = plot_watch(self.watchers)
        self.handle.update(fig)
        self._close(fig)
        self.cost = time.monotonic() - now

    def finish(self, results) -> None:
        fig = plot_watch(results)
        self.handle.update(fig)
        self._close(fig)


# --- for people ----------------------------------------------------------------------------

def summary(w: Watch) -> str:
    """What `watch` prints at the end."""
    lines = [f"{w.label} ({w.url}): {w.verdict.headline}"]
    if w.polls:
        a, b = w.polls[0], w.polls[-1]
        parts = [f"goroutines {a.goroutines:,} -> {b.goroutines:,}"]
        heaps = [p for p in w.polls if p.heap is not None]
        if heaps:
            parts.append(f"heap in use {_bytes(heaps[0].heap)} -> {_bytes(heaps[-1].heap)}")
        leaks = [p for p in w.polls if p.leaked is not None]
        if leaks:
            parts.append(f"proven leaked {leaks[0].leaked:,} -> {leaks[-1].leaked:,}")
        cost = sorted(sum(p.seconds.values()) for p in w.polls)
        lines.append(f"  {len(w.polls)} polls over {b.t:.1f} s (every {w.every:g} s): " + ", ".join(parts)
                     + f"; a poll's answers took {cost[len(cost) // 2] * 1e3:.1f} ms (median)")
    for kind, title in (("goroutines", "growing goroutine sites"), ("leaked", "growing proven leaks"),
                        ("heap", "growing heap sites")):
        rows = [g for g in w.growth if g.kind == kind]
        if rows:
            lines.append(f"  {title}:")
            lines += [f"    {g.line()}" for g in rows[:5]]
    for s in w.proven[:5]:
        lines.append(f"  {s.count:>6,} × {s.function} [{s.wait_reason}] at {s.location}, created at "
                     f"{s.created_by or '?'} (proven, at the end)")
    for n in w.notes:
        lines.append(f"  note: {n}")
    if w.message:
        lines.append(f"  {w.message}")
    return "\n".join(lines)


def cli_watch(args) -> int:
    """`python -m harness watch URL [URL2] ...`: exit 0 clean, 1 leak (any service), 2 bad URL
    or no Go net/http/pprof there, 3 a service stopped answering."""
    urls = args.url
    if len(urls) > 2:
        raise WatchError("watch takes one URL, or two to compare side by side")
    for u in urls:
        pprof_base(u)
    tty = sys.stderr.isatty()

    def progress(t, watchers):
        if tty:
            line = "  ".join(f"{w.label}: {w.polls[-1].goroutines:,} goroutines"
                             + (f", {_bytes(w.polls[-1].heap)}" if w.polls and w.polls[-1].heap is not None else "")
                             for w in watchers if w.polls)
            print(f"\r{t:6.1f} s  {line}\033[K", end="", file=sys.stderr, flush=True)

    res = watch(urls, args.every, args.for_, labels=args.label, live=False, progress=progress)
    if tty:
        print(file=sys.stderr)
    res = res if isinstance(res, list) else [res]
    for w in res:
        print(summary(w))
    if args.json:
        import json
        data = res[0].report() if len(res) == 1 else {"runs": [w.report() for w in res]}
        Path(args.json).write_text(json.dumps(data, indent=1))
    if args.png:
        plot_watch(res).savefig(args.png, dpi=110)
    lost = [w for w in res if w.exit == "lost"]
    if lost:
        print(f"error: {lost[0].label}: {lost[0].message}", file=sys.stderr)
        return 3
    return 1 if any(w.verdict.leak for w in res) else 0

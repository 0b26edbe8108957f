"""The capstone (lab 27): a shop service with four hidden leaks, found from symptoms, scored leak by leak.

`go_samples/capstone` is a multi-package HTTP service; `cmd/shopd` runs it with the inventory
service it depends on (on 127.0.0.1) and a load generator, prints a dashboard line of the shop's
own metrics every `-report` ("dash {...}") and the load generator's counts at the end
("loadgen {...}"), then shuts down and exits. The learner edits its files in place; pristine copies
live in `testdata/pristine/`, the reference solution in `testdata/solution/` (one file per leak,
named in `testdata/solution/leaks.json`, so each leak can be fixed alone).

`check` runs it once, instrumented, and judges each leak class by a signal of its own, so that
fixing one never moves the score of another:

- goroutine: goroutines whose entry function (or creator) is the service's own code still there
  after it shut down (the end-state dump of the goroutineleak profile), per second of load;
- heap: growth of live bytes between two heap profiles taken during the load (sampled every
  `MEMPROFILERATE` bytes), grouped by the service package that allocated them, the largest one;
  timers and contexts are left out (they are the next class);
- timer: timers the service's own code created (time.AfterFunc, NewTimer, NewTicker, After,
  Tick) still live between the same two heap profiles, per second;
- resource: connections left open to the dependency, from the shop's own metric
  `inventory_connections_open`: its Theil-Sen slope over the dashboard lines after the first
  quarter of the run, counted only while more are open than a client keeps for reuse.

The load generator checks every answer; a run whose requests fail or whose throughput collapses
is reported as broken, and then no leak counts as fixed. Leaks are named by class only, never by
file or function: finding them is the exercise.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .build import build
from .errors import BuildError, LeakLabError
from .measure import Run, RunOptions, gc_every_for, measure
from .samples import samples_dir
from .verdict import theil_sen

NAME = "capstone"
SERVICE = "capstone"                       # folder of go_samples
MAIN = "capstone/cmd/shopd"                # its main package
GO_PREFIX = "goleaklab/samples/capstone/"  # the service's Go packages
# ...of which these are not the service: the dependency it starts and the load generator.
NOT_THE_SERVICE = (GO_PREFIX + "internal/inventory.", GO_PREFIX + "internal/loadgen.")
DEFAULT_DURATION = 8.0                     # seconds of load per check
MIN_DURATION = 6.0                         # shorter, a bounded cache has not filled when the heap is read
DEFAULT_RATE = 250                         # requests per second
MEMPROFILERATE = 512                       # heap profile: one sample per this many bytes allocated
SLACK_S = 10.0                             # start-up, shutdown and the end capture, past the load

# How healthy a run must be for its leaks to count: answers the load generator found wrong or
# missing (5xx, bad bodies, timeouts, refused), requests it could not send, and throughput.
# Past the first three the run is not judged (disturbed: a busy machine stalls every request alike);
# past the last three, or when one kind of request fails much more than that, the service is broken.
MAX_FAILED = 0.05
MAX_DROPPED = 0.05
MIN_THROUGHPUT = 0.8                       # of the rate asked for
BROKEN_FAILED = 0.20
BROKEN_THROUGHPUT = 0.5
MAX_ROUTE_FAILED = 0.20                    # of one kind of request (a handler that fails every time)
POOLED_CONNS = 40                          # connections the client may keep for reuse, and some


@dataclass(frozen=True)
class LeakClass:
    key: str
    title: str
    unit: str
    threshold: float        # a rate at or above this is still leaking
    signal: str             # what is measured, in words (no location)


LEAKS: tuple[LeakClass, ...] = (
    LeakClass("goroutine", "goroutine leak", "goroutines/s", 0.5,
              "goroutines of the service's own code still alive after it shut down "
              "(goroutineleak profile dump at exit), per second of load"),
    LeakClass("heap", "heap leak", "kB/s", 60.0,
              "growth of live bytes between two heap profiles taken under load, by the service "
              "package that allocated them (the largest); timers and contexts left out"),
    LeakClass("timer", "timer leak", "timers/s", 50.0,
              "timers created by the service's own code (time.AfterFunc, NewTimer, NewTicker, "
              "After, Tick) still live between the same two heap profiles"),
    LeakClass("resource", "resource leak", "connections/s", 3.0,
              "connections to the dependency left open: slope of the shop's own metric "
              "inventory_connections_open after the first quarter of the run, while more are "
              "open than a client keeps for reuse"),
)
CLASSES = tuple(c.key for c in LEAKS)
_PROBE = ("main.leaklab", "main.(*leaklab")  # the harness's probe, built into the same main package
_TIMER_FUNCS = {"time.AfterFunc", "time.NewTimer", "time.NewTicker", "time.After", "time.Tick"}


# --- where things are ------------------------------------------------------------------------


def service_dir() -> Path:
    return samples_dir() / SERVICE


def main_package() -> Path:
    """The service's main package, for `lab.check(capstone.main_package(), ...)`."""
    return samples_dir() / MAIN


def args(duration: float, rate: int = DEFAULT_RATE, report: float = 0.5, extra: list[str] | None = None) -> list[str]:
    """The service's command line for `duration` seconds of load at `rate` requests/s."""
    return ["-duration", f"{duration:g}s", "-rate", str(rate), "-report", f"{int(report * 1000)}ms", *(extra or [])]


def _pristine_dir() -> Path:
    return service_dir() / "testdata" / "pristine"


def _solution_dir() -> Path:
    return service_dir() / "testdata" / "solution"


def editable_files() -> list[Path]:
    """The files a learner may edit (paths relative to the service folder), from the pristine copies."""
    root = _pristine_dir()
    return sorted(p.relative_to(root) for p in root.rglob("*.go"))


def solution_files(leak: str | None = None) -> list[Path]:
    """The reference solution's files (relative paths): all, or those that fix one leak class."""
    manifest = json.loads((_solution_dir() / "leaks.json").read_text())
    if leak is not None and leak not in manifest:
        raise LeakLabError(f"unknown leak class {leak!r}; one of {', '.join(CLASSES)}")
    keys = [leak] if leak else list(manifest)
    return [Path(f) for k in keys for f in manifest[k]]


def apply_solution(*leaks: str) -> list[Path]:
    """Copy the reference fix of the given leak classes (all four when none is given) over the
    service's files; returns the files written. For tests and the instructor's walkthrough."""
    out = []
    for leak in leaks or CLASSES:
        for rel in solution_files(leak):
            dst = service_dir() / rel
            shutil.copyfile(_solution_dir() / rel, dst)
            out.append(dst)
    return out


def reset() -> list[Path]:
    """Put every file of the service back as it started (from testdata/pristine) and remove Go
    files added next to them; returns the paths restored or removed."""
    root, svc = _pristine_dir(), service_dir()
    if not root.is_dir():
        raise LeakLabError(f"the capstone has no pristine copy ({root} is missing)")
    keep = set(editable_files())
    out = []
    for rel in sorted(keep):
        dst = svc / rel
        if not dst.exists() or dst.read_bytes() != (root / rel).read_bytes():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / rel, dst)
            out.append(dst)
    for extra in sorted(svc.rglob("*.go")):
        rel = extra.relative_to(svc)
        if rel.parts[0] != "testdata" and rel not in keep:
            extra.unlink()
            out.append(extra)
    return out


def edited() -> list[Path]:
    """The service's files that differ from their pristine copies (relative paths)."""
    root, svc = _pristine_dir(), service_dir()
    return [rel for rel in editable_files()
            if not (svc / rel).exists() or (svc / rel).read_bytes() != (root / rel).read_bytes()]


# --- what a run printed ----------------------------------------------------------------------


def _stdout(run: Run) -> str:
    if run.artifacts is not None and (run.artifacts / "stdout").exists():
        return (run.artifacts / "stdout").read_text(errors="replace")
    return run.stdout_tail


def dashboard(run: Run) -> list[dict]:
    """The dashboard lines the service printed ("dash {json}"), oldest first. The whole series
    needs the run's files (`keep=`); without them, what fits in the captured stdout tail."""
    rows = []
    for line in _stdout(run).splitlines():
        if line.startswith("dash {"):
            try:
                rows.append(json.loads(line[5:]))
            except ValueError:
                continue  # a line cut by the end of the tail
    return rows


def loadgen_summary(run: Run) -> dict | None:
    """The load generator's counts at the end of the run ("loadgen {json}"), or None."""
    for line in reversed(_stdout(run).splitlines()):
        if line.startswith("loadgen {"):
            try:
                return json.loads(line[8:])
            except ValueError:
                return None
    return None


def gctrace_excerpt(run: Run, head: int = 3, tail: int = 4) -> str:
    """The first and last GODEBUG=gctrace=1 lines of a run made with `gctrace=True, keep=...`."""
    if run.artifacts is None or not (run.artifacts / "stderr").exists():
        raise LeakLabError("the gctrace lines are in the run's files: run with gctrace=True and keep=FOLDER")
    lines = [ln for ln in (run.artifacts / "stderr").read_text(errors="replace").splitlines()
             if re.match(r"^gc \d+ @", ln)]
    if len(lines) <= head + tail:
        return "\n".join(lines)
    return "\n".join(lines[:head] + [f"... {len(lines) - head - tail} more GC cycles ..."] + lines[-tail:])


# --- heap profiles (pprof protobuf, read without go tool pprof) ---------------------------------


def _varint(b: bytes, i: int) -> tuple[int, int]:
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        if c < 0x80:
            return r, i
        s += 7


def _fields(b: bytes):
    i, n = 0, len(b)
    while i < n:
        key, i = _varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
            yield f, wt, v
        elif wt == 2:
            ln, i = _varint(b, i)
            yield f, wt, b[i:i + ln]
            i += ln
        elif wt == 1:
            yield f, wt, b[i:i + 8]
            i += 8
        elif wt == 5:
            yield f, wt, b[i:i + 4]
            i += 4
        else:
            raise ValueError(f"bad protobuf wire type {wt}")


def _ints(wt: int, v) -> list[int]:
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = _varint(v, i)
        out.append(x)
    return out


def heap_samples(data: bytes) -> list[tuple[list[str], dict[str, int]]]:
    """A heap profile (gzipped pprof protobuf) as [(stack leaf first, {sample type: value})];
    inlined frames are listed as frames."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    strings, funcs, locs, raw, types = [], {}, {}, [], []
    for f, wt, v in _fields(data):
        if f == 6:
            strings.append(v.decode(errors="replace"))
        elif f == 1:
            types.append({ff: vv for ff, _, vv in _fields(v)}.get(1, 0))
        elif f == 5:
            d = {ff: vv for ff, _, vv in _fields(v)}
            funcs[d.get(1, 0)] = d.get(2, 0)
        elif f == 4:
            lid, lines = 0, []
            for ff, _, vv in _fields(v):
                if ff == 1:
                    lid = vv
                elif ff == 4:
                    lines.append({f3: v3 for f3, _, v3 in _fields(vv)}.get(1, 0))
            locs[lid] = lines
        elif f == 2:
            ids, vals = [], []
            for ff, w2, vv in _fields(v):
                if ff == 1:
                    ids += _ints(w2, vv)
                elif ff == 2:
                    vals += _ints(w2, vv)
            raw.append((ids, vals))
    names = [strings[t] for t in types]
    out = []
    for ids, vals in raw:
        stack = [strings[funcs.get(fid, 0)] for lid in ids for fid in locs.get(lid, [])]
        out.append((stack, {n: (v - (1 << 64) if v >= 1 << 63 else v) for n, v in zip(names, vals)}))
    return out


def _package(function: str) -> str:
    """Import path of a Go function name: a/b/c.(*T).m -> a/b/c; main.f -> main."""
    slash = function.rfind("/")
    dot = function.find(".", slash + 1)
    return function[:dot] if dot > 0 else function


def _own(function: str) -> bool:
    """A function of the service's own code (its main package included, the dependency it
    starts and the load generator not)."""
    return ((function.startswith(GO_PREFIX) and not function.startswith(NOT_THE_SERVICE))
            or (function.startswith("main.") and not function.startswith(_PROBE)))


def heap_by_class(samples) -> tuple[dict[str, int], int]:
    """({service package: live bytes}, live timers the service's code created) in one heap
    profile. A stack's owner is its leaf-most frame in the service's code; allocations made inside
    the time or context package on its behalf are timers and contexts, not the heap class."""
    by_pkg: dict[str, int] = {}
    timers = 0
    for stack, v in samples:
        own = next((i for i, fn in enumerate(stack) if fn.startswith(GO_PREFIX) or fn.startswith("main.")), None)
        if own is None or not _own(stack[own]):
            continue
        below = stack[:own]
        if any(fn.startswith(("time.", "context.")) for fn in below):
            if own > 0 and stack[own - 1] in _TIMER_FUNCS:
                timers += v.get("inuse_objects", 0)
            continue
        pkg = _package(stack[own])
        by_pkg[pkg] = by_pkg.get(pkg, 0) + v.get("inuse_space", 0)
    return by_pkg, timers


# --- the check -------------------------------------------------------------------------------


@dataclass
class LeakScore:
    key: str
    title: str
    state: str              # fixed | still leaking | not measured
    rate: float | None      # in `unit`
    unit: str
    threshold: float
    detail: str             # the numbers behind it, in words
    debug: dict = field(default_factory=dict, repr=False)  # for instructors and benchmarks: not shown

    @property
    def fixed(self) -> bool:
        return self.state == "fixed"

    @property
    def line(self) -> str:
        if self.rate is None:
            return f"{self.title}: {self.state} ({self.detail})"
        return f"{self.title}: {self.state} ({_rate(self.rate, self.unit)}; {self.detail})"


def _rate(v: float, unit: str) -> str:
    return f"{v:+,.0f} {unit}" if abs(v) >= 10 else f"{v:+,.1f} {unit}"


@dataclass
class Health:
    healthy: bool
    line: str
    sent: int = 0
    ok: int = 0
    failed: int = 0
    dropped: int = 0
    rps: float = 0.0
    rate: int = 0
    routes: dict = field(default_factory=dict)
    examples: list = field(default_factory=list)
    state: str = "healthy"          # healthy | broken | disturbed


@dataclass
class CapstoneResult:
    state: str                      # "N of 4 leaks fixed" | broken | disturbed | does not build | did not finish
    line: str                       # the one-line summary
    leaks: list[LeakScore]
    health: Health | None
    run: Run | None = field(default=None, repr=False)
    build_messages: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    edited: list[str] = field(default_factory=list)

    total = len(LEAKS)

    @property
    def healthy(self) -> bool:
        return self.health is not None and self.health.healthy

    @property
    def fixed(self) -> int:
        """Leaks fixed, counted only while the service works."""
        return sum(s.fixed for s in self.leaks) if self.healthy else 0

    def leak(self, key: str) -> LeakScore:
        return next(s for s in self.leaks if s.key == key)

    def __str__(self) -> str:
        return "\n".join([self.line] + [f"  {s.line}" for s in self.leaks])

    def record(self) -> dict:
        """What the notebook records for the lab's tests."""
        return {"name": NAME, "fixed": self.fixed, "total": self.total, "state": self.state,
                "healthy": self.healthy, "line": self.line,
                "leaks": {s.key: {"state": s.state, "rate": s.rate, "unit": s.unit, "line": s.line}
                          for s in self.leaks},
                "wall_s": round(self.wall_s, 2)}


def _health(summary: dict | None, rate: int) -> Health:
    """Did the service do its job? healthy; broken (requests of some kind fail, or most of them
    do, or throughput collapsed); or neither (`state` "disturbed": a few percent failed or were
    not sent, every kind alike, as when the machine stalls the whole program for a while)."""
    if not summary:
        return Health(False, "the load generator printed no counts: the service did not finish its run",
                      state="broken")
    sent, ok, failed, dropped = (int(summary.get(k, 0)) for k in ("sent", "ok", "failed", "dropped"))
    rps = float(summary.get("rps", 0.0))
    routes = summary.get("routes") or {}
    h = Health(True, "", sent, ok, failed, dropped, rps, rate, routes, summary.get("examples") or [])
    broken, disturbed = [], []
    if sent == 0:
        broken.append("no request was sent")
    else:
        share = failed / sent
        if share > BROKEN_FAILED:
            broken.append(f"{share:.0%} of requests failed")
        elif share > MAX_FAILED:
            disturbed.append(f"{share:.0%} of requests failed")
        if dropped > MAX_DROPPED * sent:
            disturbed.append(f"{dropped / sent:.0%} of requests could not be sent (too many waiting for an answer)")
        for name, r in sorted(routes.items()):
            if r.get("sent", 0) >= 10 and r.get("failed", 0) > MAX_ROUTE_FAILED * r["sent"]:
                codes = ", ".join(f"{c}×{n}" for c, n in sorted(r.get("codes", {}).items()))
                broken.append(f"{name} requests: {r['failed']} of {r['sent']} failed ({codes})")
    if rps < BROKEN_THROUGHPUT * rate:
        broken.append(f"throughput {rps:,.0f} requests/s, below {BROKEN_THROUGHPUT:.0%} of the {rate} asked for")
    elif rps < MIN_THROUGHPUT * rate:
        disturbed.append(f"throughput {rps:,.0f} requests/s, below {MIN_THROUGHPUT:.0%} of the {rate} asked for")
    ex = f"; e.g. {h.examples[0]}" if h.examples else ""
    if broken:
        h.healthy, h.state = False, "broken"
        h.line = "the service is BROKEN: " + "; ".join(broken + disturbed) + ex
    elif disturbed:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        h.healthy, h.state = False, "disturbed"
        h.line = ("the run was disturbed: " + "; ".join(disturbed) + ex
                  + f" (every kind of request alike: the machine may be too busy, load average {load:.1f}; "
                  "run the check again, and if it says so again, your change may have slowed the service)")
    else:
        h.line = (f"the service works: {sent:,} requests, {failed} failed, {rps:,.0f} requests/s "
                  f"(floor {MIN_THROUGHPUT * rate:,.0f})")
    return h


def _score(run: Run, load_s: float, snaps: list[tuple[float, Path]]) -> list[LeakScore]:
    c = {k.key: k for k in LEAKS}
    out = []

    # goroutines of the service's own code left after shutdown
    own = [s for s in run.sites if _own(s.function) or _own(s.created_by_function or "")]
    n = sum(s.count for s in own)
    proven = sum(s.count for s in own if s.proven)
    rate = n / load_s
    k = c["goroutine"]
    leaking = rate >= k.threshold and n >= 5
    out.append(LeakScore(k.key, k.title, "still leaking" if leaking else "fixed", rate, k.unit, k.threshold,
                         f"{n:,} of the service's goroutines never ended, {proven:,} of them proven leaked"
                         if n else "no goroutine of the service's code left after it shut down"))

    # heap and timers, from the two heap profiles taken under load
    kh, kt = c["heap"], c["timer"]
    if len(snaps) >= 2:
        (t1, p1), (t2, p2) = snaps[0], snaps[-1]
        pk1, tm1 = heap_by_class(heap_samples(p1.read_bytes()))
        pk2, tm2 = heap_by_class(heap_samples(p2.read_bytes()))
        dt = max(t2 - t1, 1e-3)
        growth = {pkg: pk2.get(pkg, 0) - pk1.get(pkg, 0) for pkg in set(pk1) | set(pk2)}
        top = max(growth.values(), default=0)
        total = sum(pk2.values())
        hrate = top / dt / 1e3
        out.append(LeakScore(kh.key, kh.title, "still leaking" if hrate >= kh.threshold else "fixed", hrate,
                             kh.unit, kh.threshold,
                             f"live bytes kept by the service's code: {sum(pk1.values()) / 1e6:.1f} MB at "
                             f"t={t1:.1f} s, {total / 1e6:.1f} MB at t={t2:.1f} s; the fastest-growing package "
                             f"{top / 1e3:+,.0f} kB",
                             {"growth_by_package": dict(sorted(growth.items(), key=lambda kv: -kv[1])[:5]),
                              "t1": t1, "t2": t2}))
        trate = (tm2 - tm1) / dt
        out.append(LeakScore(kt.key, kt.title, "still leaking" if trate >= kt.threshold else "fixed", trate,
                             kt.unit, kt.threshold,
                             f"timers of the service's code: about {tm1:,} live at t={t1:.1f} s, {tm2:,} at t={t2:.1f} s"))
    else:
        why = "the heap profiles were not written (the run ended early)"
        out.append(LeakScore(kh.key, kh.title, "not measured", None, kh.unit, kh.threshold, why))
        out.append(LeakScore(kt.key, kt.title, "not measured", None, kt.unit, kt.threshold, why))

    # connections to the dependency left open, from the service's own dashboard
    kr = c["resource"]
    rows = [r for r in dashboard(run) if "inventory_connections_open" in r and "t" in r]
    late = [r for r in rows if r["t"] >= 0.25 * load_s]
    if len(late) >= 4:
        ts, ys = [r["t"] for r in late], [float(r["inventory_connections_open"]) for r in late]
        rrate = theil_sen(ts, ys)
        fds = [float(r["process_open_fds"]) for r in late if "process_open_fds" in r]
        frate = theil_sen(ts[:len(fds)], fds) if len(fds) >= 2 else 0.0
        leaking = rrate >= kr.threshold and max(ys[-2:]) > POOLED_CONNS
        out.append(LeakScore(kr.key, kr.title, "still leaking" if leaking else "fixed", rrate,
                             kr.unit, kr.threshold,
                             f"{ys[0]:.0f} connections open at t={ts[0]:.1f} s, {ys[-1]:.0f} at t={ts[-1]:.1f} s "
                             f"(a client keeps up to about {POOLED_CONNS} for reuse); open file descriptors "
                             f"{_rate(frate, '/s')}",
                             {"series": list(zip(ts, ys))}))
    else:
        out.append(LeakScore(kr.key, kr.title, "not measured", None, kr.unit, kr.threshold,
                             f"only {len(late)} dashboard lines after the first quarter of the run"))
    return out


def check(duration: float = DEFAULT_DURATION, rate: int = DEFAULT_RATE, on_step=None, progress=None,
          keep: str | Path | None = None, **kw) -> CapstoneResult:
    """Build and run the service for `duration` seconds of load at `rate` requests/s, and say
    for each leak class whether it is fixed, with its numbers, and whether the service still
    works. `on_step(text)` hears what it is doing; `progress(elapsed, sample)` is the run's
    progress callback; `keep`: a folder for the run's files; other keywords go to `measure`.
    Durations under `MIN_DURATION` are raised to it: the signals need that much load."""
    step = on_step or (lambda text: None)
    duration = max(float(duration), MIN_DURATION)
    t0 = time.monotonic()
    changed = [str(p) for p in edited()] if _pristine_dir().is_dir() else []
    step("building the service")
    try:
        binary = build(main_package())
    except BuildError as err:
        msgs = list(err.messages)
        first = msgs[0] if msgs else str(err)
        return CapstoneResult("does not build", f"{NAME}: does not build: {first}", [], None, None, msgs,
                              time.monotonic() - t0, changed)
    t1 = round(max(1.0, 0.55 * duration), 2)
    t2 = round(max(t1 + 0.5, duration - 0.3), 2)
    tmp = Path(tempfile.mkdtemp(prefix="leaklab-capstone-")) if keep is None else Path(keep)
    run = None
    try:
        env = dict(kw.pop("env", None) or {})
        env["GODEBUG"] = ",".join(x for x in (env.get("GODEBUG", ""), f"memprofilerate={MEMPROFILERATE}") if x)
        step(f"running the service for {duration:g} s at {rate} requests/s")
        opts = RunOptions.of(duration=duration + SLACK_S, label=NAME, keep=tmp, heap_at=(t1, t2), env=env,
                             gc_every_ms=kw.pop("gc_every_ms", gc_every_for(duration)), progress=progress, **kw)
        run = measure(binary, args(duration, rate), opts)
        step("reading the profiles")
        snaps = sorted((int(p.stem.split(".")[0].split("-")[1]) / 1000, p) for p in tmp.glob("heap-*.pb.gz"))
        health = _health(loadgen_summary(run), rate)
        if not run.ok:
            leaks = _score(run, duration, snaps)
            line = f"{NAME}: did not finish: {run.message or run.exit}"
            return CapstoneResult("did not finish", line, leaks, health, run, [], time.monotonic() - t0, changed)
        leaks = _score(run, duration, snaps)
        n = sum(s.fixed for s in leaks)
        if not health.healthy:
            state = health.state
            line = (f"{NAME}: {health.line}. No leak counts as fixed until the service works again "
                    f"({n} of {len(leaks)} would be)." if state == "broken" else
                    f"{NAME}: {health.line}. The leaks are not judged on this run ({n} of {len(leaks)} "
                    "looked fixed).")
        else:
            state = f"{n} of {len(leaks)} leaks fixed"
            line = f"{NAME}: {state}; {health.line}"
        return CapstoneResult(state, line, leaks, health, run, [], time.monotonic() - t0, changed)
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
            if run is not None:
                run.artifacts = None  # removed with the temp folder; the stdout tail stays


# --- in the notebook -------------------------------------------------------------------------

_PANELS = (  # (title, [(series, label, scale)], unit)
    ("Throughput", [("rps", "answered requests/s", 1), ("errors_per_s", "failed requests/s", 1)], "per s"),
    ("Latency", [("p50_ms", "p50", 1), ("p99_ms", "p99", 1)], "ms"),
    ("Goroutines", [("go_goroutines", "go_goroutines", 1)], ""),
    ("Memory", [("process_resident_memory_bytes", "resident (RSS)", 1e-6),
                ("go_heap_live_bytes", "Go live heap", 1e-6)], "MB"),
    ("Open file descriptors", [("process_open_fds", "process_open_fds", 1)], ""),
    ("The shop's own gauges", [("shop_sessions_active", "sessions active", 1),
                               ("search_recent_queries", "recent queries kept", 1),
                               ("quote_cache_entries", "quotes cached", 1)], ""),
)


def plot_dashboard(rows: list[dict], title: str = "The shop's dashboard"):
    """A figure of the dashboard lines (see `dashboard`): six panels, time on the x axis."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.2), sharex=True, layout="constrained")
    ts = [r.get("t", 0) for r in rows]
    colours = ("#c0392b", "#2471a3", "#7d3c98")
    for ax, (name, series, unit) in zip(axes.flat, _PANELS):
        for (key, label, scale), colour in zip(series, colours):
            ys = [r.get(key) for r in rows]
            if any(y is not None for y in ys):
                ax.plot(ts, [None if y is None else y * scale for y in ys], color=colour, lw=1.6, label=label)
        ax.set_title(name, loc="left", fontweight="bold", fontsize=10)
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        if len(series) > 1:
            ax.legend(fontsize=8, loc="upper left")
    for ax in axes[1]:
        ax.set_xlabel("time since the traffic started (s)")
    fig.suptitle(title, fontweight="bold")
    return fig


def show_dashboard(run: Run, title: str = "The shop's dashboard") -> list[dict]:
    """Plot a run's dashboard lines; returns them."""
    from .notebook import _display_figure, _md
    rows = dashboard(run)
    if not rows:
        _md(f"**No dashboard lines in this run** ({html.escape(run.message or run.exit)}).")
        return rows
    _display_figure(plot_dashboard(rows, title))
    return rows


_TRENDS = (("rps", "answered requests/s", 1, ""), ("p99_ms", "p99 latency", 1, "ms"),
           ("go_goroutines", "goroutines", 1, ""), ("go_heap_live_bytes", "Go live heap", 1e-6, "MB"),
           ("process_resident_memory_bytes", "resident memory (RSS)", 1e-6, "MB"),
           ("process_open_fds", "open file descriptors", 1, ""),
           ("shop_sessions_active", "sessions active", 1, ""), ("quote_cache_entries", "quotes cached", 1, ""),
           ("search_recent_queries", "recent queries kept", 1, ""))


def show_trends(rows: list[dict]) -> None:
    """The dashboard as numbers: each series at the first and last line, and its slope (Theil-Sen)."""
    from .notebook import _md
    rows = [r for r in rows if "go_goroutines" in r]  # lines whose scrape answered
    if len(rows) < 2:
        _md("Too few dashboard lines to say how the series moved.")
        return
    ts = [r["t"] for r in rows]
    out = [f"| series (over {ts[-1] - ts[0]:.1f} s) | first | last | per second |", "|---|---:|---:|---:|"]
    for key, label, scale, unit in _TRENDS:
        ys = [r.get(key, 0) * scale for r in rows]
        u = f" {unit}" if unit else ""
        out.append(f"| {label} | {ys[0]:,.1f}{u} | {ys[-1]:,.1f}{u} | {theil_sen(ts, ys):+,.2f}{u} |")
    _md("\n".join(out))


_COLOUR = {"fixed": "#2e8b57", "still leaking": "#c0392b", "not measured": "#b9770e"}


def show(result: CapstoneResult, record: bool = True) -> None:
    """The check's one-line summary, a table leak by leak, and (for the lab's tests) its record."""
    from .notebook import VERDICT_MIME, _display, _display_html, _md, _pre
    if result.state in ("broken", "disturbed", "does not build", "did not finish"):
        colour = "#c0392b"
    elif result.fixed == result.total:
        colour = "#2e8b57"
    else:
        colour = "#b9770e"
    _display_html(f'<p style="font-size:1.1em;color:{colour}"><b>{html.escape(result.line)}</b></p>')
    if result.build_messages:
        _pre("Go says:", "\n".join(result.build_messages[:20]))
    if result.leaks:
        rows = ["| leak | state | measured | still leaking at or above | how it is measured |",
                "|---|---|---:|---:|---|"]
        sig = {c.key: c.signal for c in LEAKS}
        for s in result.leaks:
            state = f'<span style="color:{_COLOUR.get(s.state, "#000")}"><b>{s.state}</b></span>'
            measured = "—" if s.rate is None else _rate(s.rate, s.unit)
            rows.append(f"| {s.title} | {state} | {measured}<br><small>{html.escape(s.detail)}</small> | "
                        f"{s.threshold:g} {s.unit} | <small>{html.escape(sig[s.key])}</small> |")
        _md("\n".join(rows))
    if result.health is not None and not result.health.healthy and result.health.routes:
        rows = ["| requests | sent | answered as they should | failed | status codes |", "|---|---:|---:|---:|---|"]
        for name, r in sorted(result.health.routes.items()):
            codes = ", ".join(f"{c}: {n}" for c, n in sorted(r.get("codes", {}).items()))
            rows.append(f"| {name} | {r.get('sent', 0)} | {r.get('ok', 0)} | {r.get('failed', 0)} | {codes} |")
        _md("**What the load generator saw:**\n\n" + "\n".join(rows)
            + "".join(f"\n- `{html.escape(e)}`" for e in result.health.examples[:3]))
    if result.edited:
        _md("Files you changed: " + ", ".join(f"`{p}`" for p in result.edited)
            + f". Check time: {result.wall_s:.1f} s.")
    if record:
        _display({VERDICT_MIME: result.record(),
                  "text/plain": f"capstone: {result.fixed} of {result.total} leaks fixed ({result.state})"}, raw=True)


def check_cell(duration: float = DEFAULT_DURATION, **kw) -> CapstoneResult:
    """`check` with a progress bar and a status line, then `show`; the stop button ends it."""
    from .notebook import Stopped, _finish, _progress, _Status
    bar, tick = _progress(duration + 1, "capstone")
    status = _Status()
    try:
        result = check(duration, on_step=status.say, progress=tick, **kw)
    except KeyboardInterrupt:
        raise Stopped() from None
    finally:
        _finish(bar)
        status.clear()
    show(result)
    return result


def hint(leak: str, n: int) -> None:
    """Hint n (1, 2, ...) for one leak class: where to look, never where the leak is."""
    from .notebook import _md
    if leak not in CLASSES:
        raise LeakLabError(f"unknown leak class {leak!r}; one of {', '.join(CLASSES)}")
    path = service_dir() / "testdata" / "hints" / f"{leak}.md"
    parts = [p.strip() for p in path.read_text().split("\n---\n") if p.strip()]
    n = max(1, min(n, len(parts)))
    _md(f"**{leak} leak, hint {n} of {len(parts)}.** {parts[n - 1]}")


def show_solution(leak: str) -> None:
    """The reference fix of one leak class, as a diff against the file as it started."""
    from .notebook import _DIFF_STYLE, _display_html, lesson_diff
    for rel in solution_files(leak):
        rows = lesson_diff((_pristine_dir() / rel).read_text(), (_solution_dir() / rel).read_text())
        body = "".join(f'<div style="{_DIFF_STYLE[k]}">{html.escape(k if k != "@" else "")}'
                       f'{html.escape(ln.expandtabs(4)) or "&nbsp;"}</div>' for k, ln in rows)
        _display_html(f"<p><b><code>go_samples/{SERVICE}/{rel}</code></b>: the {leak} leak's fix</p>"
                      f'<pre style="white-space:pre;overflow-x:auto;line-height:1.35;padding:0.5em">{body}</pre>')

"""Build + supervised run + collection + verdict for one program: the `Run` record."""

from __future__ import annotations

import functools
import json
import os
import re
import stat
import urllib.request
import shutil
import tempfile
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from . import collect
from .build import Binary, _find_gomod, build
from .errors import LeakLabError, TargetError
from .supervise import DEFAULT_RSS_CAP, GRACE_S, check_platform, supervise
from .toolchain import Go, find_go
from .verdict import Ignore, Thresholds, Verdict, decide

DEFAULT_INTERVAL_MS = 50
DEFAULT_GC_EVERY_MS = 250   # force a GC when none ran for this long: live heap is measured often


def gc_every_for(duration: float) -> int:
    """Forced-GC interval for a run of `duration` s: about 25 live-heap points per run, so a
    trend test has enough points even in a 1-2 s run; never more often than every 50 ms."""
    return int(min(DEFAULT_GC_EVERY_MS, max(50, duration * 1000 / 25)))
_TAIL = 64 << 10
_RUN_PREFIX = "leaklab-run-"
_RUN_OWNER_RE = re.compile(r"leaklab-run-(\d+)-(\d+)-")
_ARTIFACTS = ("metrics.jsonl", "stdout", "stderr", "heap*.pb.gz", "goroutine*.txt", "goroutineleak*",
              "trace.out", "trace-*.pb", "http-*")


@dataclass
class Run:
    """Everything measured in one run, as plain data."""

    label: str
    target: str
    args: list[str]
    go_version: str
    exit: str                    # exited | deadline | timeout | memory_cap | crashed | interrupted
    returncode: int | None
    message: str                 # one line when the end was not normal
    wall_s: float
    cpu_s: float
    peak_rss: int
    samples: list[dict]
    final: dict | None
    gctrace: list[dict]
    sites: list[collect.LeakSite]
    verdict: Verdict
    stdout_tail: str
    stderr_tail: str
    artifacts: Path | None = None
    goroutine_series: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    paced_by: dict | None = None  # periodic samples taken after a GC / on the timer: {"gc": n, "timer": n}
    heap_profile: bytes | None = field(default=None, repr=False)  # the end-state heap profile (pprof)
    go: Go | None = field(default=None, repr=False)
    _heap_top: list[dict] | None = field(default=None, repr=False, compare=False)
    # Two heap profiles of the run, early (after warm-up) and late, for the growing allocation
    # sites (`heap_growth`): (t, pprof bytes).
    heap_base: tuple[float, bytes] | None = field(default=None, repr=False)
    heap_late: tuple[float, bytes] | None = field(default=None, repr=False)
    ignore_unmatched: list[str] = field(default_factory=list)  # ignore patterns that matched nothing
    _heap_growth: list[dict] | None = field(default=None, repr=False, compare=False)
    options: RunOptions | None = field(default=None, repr=False)  # how it was run

    @property
    def heap_growth(self) -> list[dict]:
        """Where the live heap grew: `go tool pprof -top -diff_base EARLY LATE` of in-use bytes
        between a heap profile taken after warm-up and one taken late in the run, the sites that
        grew (bytes > 0), largest first. Computed the first time it is asked for, and only when the
        verdict has heap growth (or inconclusive heap growth)."""
        if self._heap_growth is None:
            self._heap_growth = []
            heap = any(e.subject == "heap_live" and e.kind in ("growing", "inconclusive")
                       for e in self.verdict.evidence)
            if heap and self.heap_base and self.heap_late and self.go is not None:
                with tempfile.TemporaryDirectory(prefix="leaklab-pprof-") as tmp:
                    base, late = Path(tmp) / "base.pb.gz", Path(tmp) / "late.pb.gz"
                    base.write_bytes(self.heap_base[1])
                    late.write_bytes(self.heap_late[1])
                    rows = collect.pprof_top(self.go, late, "inuse_space", diff_base=base, nodecount=12)
                span = self.heap_late[0] - self.heap_base[0]
                self._heap_growth = [{"function": r["function"], "bytes": r["flat"],
                                      "bytes_per_s": r["flat"] / span if span > 0 else None,
                                      "cum_bytes": r["cum"], "from_s": self.heap_base[0], "to_s": self.heap_late[0]}
                                     for r in rows if r["flat"] > 0][:5]
                for e in self.verdict.evidence:
                    if e.subject == "heap_live":
                        e.heap_sites = self._heap_growth
        return self._heap_growth

    @property
    def heap_top(self) -> list[dict]:
        """`go tool pprof -top` of the end-state heap profile (in-use bytes, the probe's own
        allocations left out): computed the first time it is asked for, not on every run."""
        if self._heap_top is None:
            self._heap_top = []
            if self.heap_profile and self.go is not None:
                with tempfile.TemporaryDirectory(prefix="leaklab-pprof-") as tmp:
                    prof = Path(tmp) / "heap.pb.gz"
                    prof.write_bytes(self.heap_profile)
                    self._heap_top = collect.pprof_top(self.go, prof, "inuse_space", nodecount=10)
        return self._heap_top

    @property
    def ok(self) -> bool:
        """The run produced a measurement (the program ended normally or at its deadline)."""
        return self.exit in ("exited", "deadline")

    def report(self) -> dict:
        """The JSON report of `python -m harness check --json`."""
        heap_growth = self.heap_growth  # fills the heap evidence's heap_sites
        return {
            "target": self.target, "args": self.args, "label": self.label,
            "verdict": self.verdict.verdict, "confidence": self.verdict.confidence,
            "headline": self.verdict.headline,
            "reasons": self.verdict.reasons, "go_version": self.go_version,
            "exit": self.exit, "returncode": self.returncode, "message": self.message,
            "wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3), "peak_rss": self.peak_rss,
            "evidence": [e.to_dict() for e in self.verdict.evidence],
            "heap_growth": heap_growth, "ignore_unmatched": self.ignore_unmatched,
            "trends": self.verdict.to_dict(),
            "goroutine_leaks": self.verdict.site_dicts(),
            "series": self.samples, "final": self.final, "paced_by": self.paced_by, "gctrace": self.gctrace,
            "heap_top": self.heap_top,
        }


@functools.lru_cache(maxsize=None)
def goroot(go: Go) -> str:
    if go.root:
        return go.root
    res = go.run("env", "GOROOT")
    return res.stdout.strip()


@functools.lru_cache(maxsize=None)
def _owner_tag(pid: int) -> str:
    """"<pid>-<start time, s>" of a harness process, in the name of each run folder it makes: a
    later run (in any process) can then tell the folder of a harness that died mid-run (SIGKILL,
    the OOM killer, a forced kernel restart) from one in use, also once the pid is reused."""
    return f"{pid}-{int(psutil.Process(pid).create_time())}"


def _owner_alive(pid: int, started: int) -> bool:
    try:
        p = psutil.Process(pid)
        # start times are whole seconds in the name; boot-time rounding can move them by one
        return p.status() != psutil.STATUS_ZOMBIE and abs(p.create_time() - started) < 2
    except psutil.NoSuchProcess:  # ZombieProcess included
        return False
    except psutil.AccessDenied:  # it exists
        return True


def remove_stale_runs(tmp: str | Path | None = None) -> list[Path]:
    """Remove run folders (leaklab-run-<pid>-<start>-*) whose harness process is dead; leave
    those of live processes, other users' and older ones that name no owner. Its program group
    died with it (see supervise._Lifeline), so nothing writes there any more."""
    removed = []
    for d in Path(tmp or tempfile.gettempdir()).glob(_RUN_PREFIX + "*"):
        m = _RUN_OWNER_RE.match(d.name)
        if not m or _owner_alive(int(m.group(1)), int(m.group(2))):
            continue
        try:
            st = d.lstat()
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid():  # never a symlink planted in /tmp
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def _tail(path: Path, limit: int = _TAIL) -> str:
    if not path.exists():
        return ""
    size = path.stat().st_size
    with open(path, "rb") as f:
        if size > limit:
            f.seek(size - limit)
        return f.read().decode(errors="replace")


class _HttpFetcher:
    """Fetches scheduled paths from the program's loopback HTTP server during the run."""

    _ADDR = re.compile(rb"http://127\.0\.0\.1:(\d+)")

    def __init__(self, work: Path, plan: list[tuple[float, str]]):
        self.work, self.plan, self.port = work, sorted(plan), None

    def __call__(self, elapsed: float) -> None:
        if self.port is None:
            try:
                m = self._ADDR.search((self.work / "stdout").read_bytes()[:65536])
            except OSError:
                m = None
            if not m:
                return
            self.port = int(m.group(1))
        while self.plan and elapsed >= self.plan[0][0]:
            t, path = self.plan.pop(0)
            name = f"http-{int(elapsed * 1000)}-{path.rstrip('/').split('/')[-1].split('?')[0] or 'root'}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as resp:
                    (self.work / name).write_bytes(resp.read())
            except OSError as err:
                (self.work / (name + ".error")).write_text(str(err))


def _last_sample(path: Path) -> dict | None:
    """The newest complete sample of a stream being written (for progress bars)."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, path.stat().st_size - 4096))
            lines = f.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        if line.startswith('{"t"') and line.endswith("}"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def _crash_line(stderr: str, returncode: int | None) -> str:
    lines = collect.strip_gctrace(stderr).splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith(("panic:", "fatal error:")):
            # The first goroutine listed is the one that failed: name its first user frame,
            # and nothing when it failed inside the runtime.
            where, seen_goroutine = "", False
            for nxt in lines[i + 1:]:
                s = nxt.strip()
                if s.startswith("goroutine "):
                    if seen_goroutine:
                        break
                    seen_goroutine = True
                elif s.startswith("/") and ".go:" in s and "/src/runtime/" not in s and "/src/internal/" not in s:
                    where = " at " + Path(s.split(" +0x")[0]).name
                    break
            return f"the program crashed: {ln.strip()}{where}"
    last = [ln for ln in lines if ln.strip()]
    return f"the program exited with status {returncode}" + (f": {last[-1].strip()}" if last else "")


@dataclass(frozen=True)
class RunOptions:
    """How one program is run and measured: the settings every layer passes down as one object
    (`measure`, `check`, the notebooks' `run`/`compare`, the samples, the capstone). Make one with
    `RunOptions(duration=10, keep="art")`, or from keywords checked against these fields with
    `RunOptions.of(**kw)`; `opts.but(trace=True)` is a copy with some fields changed.

    `duration`: seconds before the run is stopped (the probe's deadline; the supervisor's is a
    little later). `rss_cap`: bytes of resident memory before the run is killed as `memory_cap`.
    `label`: the run's name in tables and figures (default: the package's folder name).
    `interval_ms`: the probe's sampling period. `grace_s`: how long the program gets between
    SIGTERM and SIGKILL. `env`: extra environment (wins over the harness's own, GODEBUG is merged).
    `keep`: a folder to keep the raw files in (profiles for `go tool pprof`); otherwise the
    run's temp folder is removed before `measure` returns, whatever happens.
    `thresholds`: the verdict's (`verdict.Thresholds`).
    `progress(elapsed_s, newest_sample_or_None)` is called a few times a second.
    `memstats_every`: read runtime.MemStats (stop-the-world) every N samples; 0 never.
    `gctrace`: run with GODEBUG=gctrace=1 and parse one row per GC into `Run.gctrace`. Off by
    default: the runtime writes each line in ~40 unbuffered writes, which costs an
    allocation-heavy program (hundreds of GCs a second) about 3 % CPU; the samples already carry
    GC counts from runtime/metrics.
    `gc_every_ms`: force a GC when none ran for this long (default: `gc_every_for(duration)`;
    0 turns it off).
    `heap_at` (seconds): extra heap profiles (heap-<ms>.pb.gz) for `go tool pprof -diff_base`;
    `goroutines_every` (seconds): goroutine profiles over time, parsed into `goroutine_series`;
    `trace`: an execution trace (trace.out). Profiles and traces need `keep`.
    Without `goroutines_every`, goroutine profiles are still taken a tenth of the run so far apart
    (at least `sites_every` s, default 0.1 s or two samples, at most 1 s) when the goroutine count
    moved since the last one, for the verdict's sites over time (`goroutine_series`); heap
    profiles are taken each time the live heap grew by a quarter (and 512 kB), for
    `Run.heap_growth`.
    `strict`: goleak's rule (every goroutine still blocked when main returned counts as a leak,
    and so does inconclusive growth); `ignore`: goroutines left out of the site evidence.
    `http_fetch` [(seconds, "/debug/pprof/heap"), ...]: fetch these paths from the program's own
    net/http/pprof server, found as the first http://127.0.0.1:PORT it prints on stdout; saved
    as http-<ms>-<last path part> (loopback only).
    """

    duration: float = 5.0
    rss_cap: int = DEFAULT_RSS_CAP
    label: str = ""
    interval_ms: int = DEFAULT_INTERVAL_MS
    gc_every_ms: int | None = None
    grace_s: float = GRACE_S
    env: Mapping[str, str] | None = None
    keep: str | Path | None = None
    thresholds: Thresholds = Thresholds()
    progress: Callable[[float, dict | None], None] | None = field(default=None, compare=False)
    heap_at: tuple[float, ...] = ()
    goroutines_every: float | None = None
    trace: bool = False
    http_fetch: tuple[tuple[float, str], ...] = ()
    memstats_every: int = 20
    gctrace: bool = False
    strict: bool = False
    ignore: Ignore | None = None
    sites_every: float | None = None

    def __post_init__(self):
        # Lists given for the sequences are kept as tuples, so options stay hashable and unchanged.
        object.__setattr__(self, "heap_at", tuple(self.heap_at or ()))
        object.__setattr__(self, "http_fetch", tuple(tuple(x) for x in self.http_fetch or ()))

    @classmethod
    def of(cls, base: RunOptions | None = None, **changes) -> RunOptions:
        """`base` (default: the defaults) with `changes`; a keyword that is not an option is one
        clear error naming the options there are."""
        unknown = sorted(set(changes) - set(cls.__dataclass_fields__))
        if unknown:
            raise TargetError(f"unknown run option {unknown[0]!r}; the options are: "
                              + ", ".join(cls.__dataclass_fields__))
        return dataclasses.replace(base or cls(), **changes)

    def but(self, **changes) -> RunOptions:
        """A copy with `changes` (checked as in `of`)."""
        return RunOptions.of(self, **changes)


def measure(binary: Binary, args: list[str] | None = None, options: RunOptions | None = None) -> Run:
    """Run an instrumented binary as `options` say (`RunOptions`: at most `options.duration`
    seconds) and collect everything into a `Run`."""
    o = options if options is not None else RunOptions()
    if not isinstance(o, RunOptions):
        raise TypeError(f"measure() takes its settings as a RunOptions, not {type(o).__name__}")
    duration, rss_cap, label, interval_ms, gc_every_ms = o.duration, o.rss_cap, o.label, o.interval_ms, o.gc_every_ms
    grace_s, env, keep, thresholds, progress = o.grace_s, o.env, o.keep, o.thresholds, o.progress
    heap_at, goroutines_every, trace, http_fetch = o.heap_at, o.goroutines_every, o.trace, o.http_fetch
    memstats_every, gctrace, strict, ignore, sites_every = o.memstats_every, o.gctrace, o.strict, o.ignore, o.sites_every
    args = list(args or [])
    if gc_every_ms is None:
        gc_every_ms = gc_every_for(duration)
    if sites_every is None:
        sites_every = max(0.1, 2 * interval_ms / 1000)
    if (heap_at or trace or http_fetch) and not keep:
        raise LeakLabError("heap snapshots and traces are files: pass keep=FOLDER to keep them")
    check_platform()
    remove_stale_runs()
    work = Path(tempfile.mkdtemp(prefix=f"{_RUN_PREFIX}{_owner_tag(os.getpid())}-"))
    try:
        extra = {"LEAKLAB_DIR": str(work), "LEAKLAB_INTERVAL_MS": str(interval_ms),
                 "LEAKLAB_GC_EVERY_MS": str(gc_every_ms), "LEAKLAB_MEMSTATS_EVERY": str(memstats_every),
                 "LEAKLAB_HEAP_AT_MS": ",".join(str(int(t * 1000)) for t in heap_at or []),
                 "LEAKLAB_GOROUTINES_EVERY_MS": str(int(goroutines_every * 1000)) if goroutines_every else "",
                 "LEAKLAB_SITES_EVERY_MS": str(int(sites_every * 1000)) if sites_every else "",
                 "LEAKLAB_HEAP_AUTO": "1",
                 "LEAKLAB_TRACE": "1" if trace else "",
                 "LEAKLAB_DEADLINE_MS": str(int(duration * 1000))}
        godebug = ",".join(x for x in ((env or {}).get("GODEBUG", ""), "gctrace=1" if gctrace else "") if x)
        run_env = binary.go.env({**extra, **(env or {}), "GODEBUG": godebug})  # env= wins over defaults
        fetcher = _HttpFetcher(work, http_fetch) if http_fetch else None

        def tick(elapsed: float) -> None:
            if fetcher:
                fetcher(elapsed)
            if progress:
                progress(elapsed, _last_sample(work / "metrics.jsonl"))
        outcome = supervise([str(binary.path), *args], work, run_env, duration, rss_cap, on_sample=tick,
                            grace_s=grace_s)
        stream = collect.parse_stream((work / "metrics.jsonl").read_text()
                                      if (work / "metrics.jsonl").exists() else "")
        stderr_full = (work / "stderr").read_text(errors="replace") if (work / "stderr").exists() else ""
        exit_, message = outcome.exit, outcome.message
        if exit_ == "exited" and stream.end_reason == "deadline":
            exit_ = "deadline"
        elif exit_ == "crashed":
            message = _crash_line(stderr_full[-_TAIL:], outcome.returncode)
            if stream.ending_t is not None and stream.end_reason is None:
                message = ("crashed while the probe captured the end state (the runtime's leak "
                           "detection), not in the program's own code: " + message)
        dump = (work / "goroutines.txt").read_text(errors="replace") if (work / "goroutines.txt").exists() else ""
        sites = collect.leak_sites(collect.parse_goroutines(dump), goroot(binary.go))
        heap_profile = (work / "heap.pb.gz").read_bytes() if (work / "heap.pb.gz").exists() else None
        tops: dict[str, str] = {}
        series = sorted((int(f.stem.split("-")[1]) / 1000,
                         collect.parse_goroutine_profile(f.read_text(), goroot(binary.go), tops))
                        for f in [*work.glob("goroutines-*.txt"), *work.glob("sites-*.txt")])
        verdict = decide(stream.samples, sites, exit_, thresholds, final=stream.final, series=series,
                         series_tops=tops, own=own_prefixes(binary), ignore=ignore, strict=strict)
        heap_base, heap_late = _heap_pair(work, stream, thresholds)
        kept = None
        if keep:
            kept = Path(keep)
            kept.mkdir(parents=True, exist_ok=True)
            for pattern in _ARTIFACTS:  # files of an earlier run kept here would mix with these
                for old in kept.glob(pattern):
                    old.unlink()
            for f in work.iterdir():
                if not f.name.startswith(("sites-", "heapauto-")):  # the verdict's own, not asked for
                    shutil.copy2(f, kept / f.name)
        return Run(label=label or Path(binary.target).name, target=binary.target, args=args,
                   go_version=binary.go.version, exit=exit_, returncode=outcome.returncode,
                   message=message, wall_s=outcome.wall_s, cpu_s=outcome.cpu_s,
                   peak_rss=outcome.peak_rss, samples=stream.samples, final=stream.final,
                   gctrace=collect.parse_gctrace(stderr_full), sites=sites, verdict=verdict,
                   stdout_tail=_tail(work / "stdout"), stderr_tail=collect.strip_gctrace(stderr_full[-_TAIL:]),
                   artifacts=kept, goroutine_series=series, paced_by=stream.paced_by,
                   heap_profile=heap_profile, go=binary.go, heap_base=heap_base, heap_late=heap_late,
                   ignore_unmatched=ignore.unmatched(sites, tops) if ignore else [], options=o)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def own_prefixes(binary: Binary) -> tuple[str, ...]:
    """Function-name prefixes of the program's own code: its main package and its module."""
    own = ["main."]
    gomod = _find_gomod(binary.package_dir)
    if gomod:
        m = re.search(r"^module\s+\"?([^\s\"]+)", gomod.read_text(errors="replace"), re.M)
        if m:
            own += [m.group(1) + "/", m.group(1) + "."]
    return tuple(own)


def _heap_pair(work: Path, stream: collect.Stream, th: Thresholds):
    """The heap profiles to diff for the growing allocation sites: the last one taken by the end of
    the warm-up (else the first) and the last one of the run (else the end state's)."""
    snaps = sorted((int(f.name.split("-")[1].split(".")[0]) / 1000, f) for f in work.glob("heapauto-*.pb.gz"))
    if not snaps or not stream.samples:
        return None, None
    t0, t1 = stream.samples[0]["t"], stream.samples[-1]["t"]
    warm = t0 + th.warmup_frac * (t1 - t0)
    base = [x for x in snaps if x[0] <= warm][-1:] or snaps[:1]
    late = snaps[-1] if snaps[-1][0] > base[0][0] else None
    if late is None and (work / "heap.pb.gz").exists():
        late = ((stream.final or {}).get("t", t1), work / "heap.pb.gz")
    if late is None:
        return None, None
    return (base[0][0], base[0][1].read_bytes()), (late[0], late[1].read_bytes())


def check(path: str | Path, args: list[str] | None = None, duration: float | None = None,
          go: Go | None = None, options: RunOptions | None = None, **changes) -> Run:
    """Build any Go main package (or one .go file) with the probe, run it and judge it.
    `options` (default `RunOptions()`), with `duration` and any other `RunOptions` field given as a
    keyword changed: `check("./cmd/server", duration=10, keep="art")`."""
    if duration is not None:
        changes["duration"] = duration
    return measure(build(path, go or find_go()), args, RunOptions.of(options, **changes))

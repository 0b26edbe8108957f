"""`python -m harness check --test PKG`: a package's own tests, run under the probe, with the
goroutines each test left behind, proven leaks with their sites, and the heap the suite retained.

How a goroutine is traced back to the test that started it: through pprof labels. The test
binary is built by `go test -c -overlay` (nothing on disk changes): in overlay copies of the
package's _test.go files each top-level `func TestX(` is renamed `leaklabT_TestX` on its own line,
and generated files declare `TestX` again, in the same order, as a call to `leaklabRunTest`
(harness/probe/leaklab_testrun.go). That sets the label leaklab.test=TestX on the test's
goroutine; every goroutine it starts inherits it, and theirs in turn. When the tests are over the
runtime's exit hook (harness/probe/leaklab_testprobe.go) lets finishing goroutines finish, runs
Go 1.27's leak-detecting GC and dumps every goroutine, each with its labels (Go 1.27 prints them
in dumps), so one run attributes each goroutine still alive, proven leaked or not, to its test.
That is exact under t.Parallel, costs one run of the binary, and starts no goroutine of its own
(goleak in the package's own tests sees nothing of it).

The alternatives measured in benchmarks/testcheck_watch.py: one run of the binary per test
(`-test.run=^TestX$`) costs a process and an end capture per test and runs t.Parallel tests
alone; snapshots at test boundaries (test2json events streamed by the binary, goroutine profiles
between tests) are asynchronous with the tests and cannot separate tests that run in parallel.

Goroutines without the label (started by init, TestMain, a Fuzz/Example/Benchmark function, or
under the test's own pprof.Do labels) are reported for the package as a whole, saying so; with a
Go that prints no labels in dumps (before 1.27) everything is reported per package.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import collect
from .build import (EXITHOOK_SOURCE, _env_key, json_stream, _func_sig, _go_decls, _source_signature, _struct_fields,
                    _uses_exit_hook, cache_dir)
from .errors import BuildError, LeakLabError, TargetError, ToolchainError
from .measure import _RUN_PREFIX, _crash_line, _owner_tag, goroot, remove_stale_runs
from .supervise import DEFAULT_RSS_CAP, GRACE_S, check_platform, supervise
from .toolchain import Go, _tool_path, find_go, missing_module, write_atomic
from .verdict import Thresholds, Verdict, decide

PROBE_DIR = Path(__file__).with_name("probe")
RUN_SOURCE = PROBE_DIR / "leaklab_testrun.go"
END_SOURCE = PROBE_DIR / "leaklab_testprobe.go"
LABEL = "leaklab.test"
RENAMED = "leaklabT_"
DEFAULT_TIMEOUT = 600.0   # -test.timeout, as `go test`'s default of 10m
OUTSIDE = "(outside any test)"
_TEST_FUNC = re.compile(r"(?m)^func[ \t]+(Test\w*)[ \t]*\(([^)]*)")
_PKG_CLAUSE = re.compile(r"(?m)^package[ \t]+(\w+)")
_SYNC_WAITS = ("chan ", "select", "sync.", "semacquire")  # waits only another goroutine can end
_HDR_LABELS = re.compile(r"^(goroutine (\d+) .*\]) \{(.*)\}:$", re.M)
_LABEL_KV = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([^\s:,{}"]+)): (?:"((?:[^"\\]|\\.)*)"|([^,{}"]*))\s*(?:,|$)')
_GOLEAK_ID = re.compile(r"Goroutine (\d+) in state ")


def _is_test(m: re.Match) -> bool:
    """`go test`'s rule: Test, or Test followed by anything but a lower-case letter; TestMain
    taking a *testing.M is the package's main, not a test."""
    name, params = m.group(1), m.group(2)
    if name == "TestMain" and re.search(r"\.\s*M\b", params):
        return False
    return name == "Test" or not name[4].islower()


# --- what to build ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TestBinary:
    """An instrumented test binary and what it was built from."""
    __test__ = False  # not a pytest class

    path: Path
    target: str
    import_path: str
    package_dir: Path
    tests: tuple[str, ...]      # the top-level Test functions, in the order go test runs them
    module: str
    go: Go
    cached: bool
    build_s: float = 0.0


def _go_list_test(go: Go, target: str) -> tuple[list[dict], Path, str]:
    """`go list -e -deps -test -json` of the target: (packages, cwd, argument)."""
    path = Path(target).expanduser()
    if path.exists():
        if not path.is_dir():
            raise TargetError(f"{target}: check --test takes a package directory (or import path), not a file")
        cwd, arg = path.resolve(), "."
    elif "..." in target:
        raise TargetError(f"{target}: check --test takes one package, not a pattern")
    elif target.startswith((".", "/")):
        raise TargetError(f"{target}: no such directory")
    else:
        cwd, arg = Path.cwd(), target
    # Only the fields used here: half the time of a full -json listing.
    out = go.run("list", "-e", "-deps", "-test", "-json=ImportPath,Name,Dir,TestGoFiles,XTestGoFiles,Standard,"
                 "ForTest,Module,Error", arg, cwd=cwd, timeout=300)
    if out.returncode != 0:
        text = out.stderr.strip()
        if line := missing_module(text):
            raise ToolchainError(line)
        if "go.mod file not found" in text or "cannot find main module" in text:
            raise TargetError(f"{target} is not inside a Go module (add a go.mod)")
        first = next((ln for ln in text.splitlines() if ln.strip()), "go list failed")
        raise TargetError(f"{target}: {first}")
    return json_stream(out.stdout), cwd, arg


def _target_package(pkgs: list[dict], cwd: Path, arg: str, target: str) -> dict:
    for p in pkgs:
        if p.get("ForTest") or p.get("Standard") or p.get("ImportPath", "").endswith(".test"):
            continue
        if (arg == "." and Path(p.get("Dir", "")) == cwd) or p.get("ImportPath") == arg:
            return p
    raise TargetError(f"{target}: no such package")


def _check_hook_copy() -> None:
    """leaklab_testprobe.go copies the exit-hook types of leaklab_exithook.go, which
    build.exit_hook_mismatch compares with the toolchain's: both copies must be the same."""
    mine, theirs = _go_decls(END_SOURCE.read_text()), _go_decls(EXITHOOK_SOURCE.read_text())
    if (_struct_fields(mine, "leaklabHook") != _struct_fields(theirs, "leaklabHook")
            or _func_sig(mine, "leaklabAddExitHook") != _func_sig(theirs, "leaklabAddExitHook")):
        raise LeakLabError(f"harness/probe/{END_SOURCE.name}'s exit-hook types differ from "
                           f"{EXITHOOK_SOURCE.name}'s: make them the same")


def _memo_path(go: Go, key: str) -> Path:
    h = hashlib.sha256(b"\0".join([go.path.encode(), go.version.encode(), key.encode(), _env_key()]))
    return cache_dir() / "testlist" / (h.hexdigest()[:24] + ".json")


def _memo_key(target: str) -> str:
    p = Path(target).expanduser()
    return str(p.resolve()) if p.exists() else f"{Path.cwd()}\0{target}"


@dataclass(frozen=True)
class _Plan:
    """What `go list` says about the package: kept in the memo between runs."""

    import_path: str
    name: str
    pkg_dir: str
    internal: tuple[str, ...]   # TestGoFiles
    external: tuple[str, ...]   # XTestGoFiles
    module: str
    cwd: str
    arg: str
    dirs: tuple[str, ...]       # folders of the package and its non-standard dependencies
    files: tuple[str, ...]      # go.mod, go.sum, the probe's files


def _plan(go: Go, target: str) -> _Plan:
    pkgs, cwd, arg = _go_list_test(go, target)
    pkg = _target_package(pkgs, cwd, arg, target)
    err = (pkg.get("Error") or {}).get("Err", "")
    if "no Go files" in err or "cannot find package" in err or "is not in std" in err:
        raise TargetError(f"{target}: {err.splitlines()[0]}")
    internal, external = pkg.get("TestGoFiles") or [], pkg.get("XTestGoFiles") or []
    if not internal and not external:
        raise TargetError(f"{target}: no test files (no *_test.go in {pkg['Dir']})")
    dirs = sorted({p["Dir"] for p in pkgs if not p.get("Standard") and p.get("Dir")
                   and not p.get("ImportPath", "").endswith(".test")})
    files = [str(RUN_SOURCE), str(END_SOURCE), str(EXITHOOK_SOURCE)]
    for p in pkgs:
        gomod = (p.get("Module") or {}).get("GoMod")
        if gomod and not p.get("Standard"):
            files += [gomod, str(Path(gomod).with_name("go.sum"))]
    return _Plan(pkg["ImportPath"], pkg.get("Name") or "", pkg["Dir"], tuple(internal), tuple(external),
                 (pkg.get("Module") or {}).get("Path", ""), str(cwd), arg, tuple(dirs), tuple(sorted(set(files))))


def _memo_read(go: Go, target: str) -> dict | None:
    try:
        memo = json.loads(_memo_path(go, _memo_key(target)).read_text())
        memo["plan"] = _Plan(**{k: tuple(v) if isinstance(v, list) else v for k, v in memo["plan"].items()})
        return memo
    except (OSError, ValueError, KeyError, TypeError):
        return None


_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def build_tests(target: str | os.PathLike, go: Go | None = None, use_cache: bool = True) -> TestBinary:
    """Build the test binary of one package (a directory, or an import path from the current
    module) with the probe injected; the package's files are never written. Cached by content:
    when no file it was built from changed (every .go file in the folders of the package and its
    dependencies, go.mod, go.sum, the probe's files: build's memo signature) neither `go list` nor
    `go test -c` runs; when one did, `go test -c` starts at once from what `go list` said last
    time while `go list` checks, in parallel, that the package's files and imports are the same."""
    import time
    go = go or find_go()
    target = str(target)
    if go.major_minor < (1, 23):
        raise ToolchainError(f"check --test needs Go 1.23 or newer (exit hooks), this is {go.version}")
    use_hook, _ = _uses_exit_hook(go)
    if not use_hook:
        raise ToolchainError(f"check --test needs the runtime's exit hook, whose API differs in {go.version} "
                             "(see `python -m harness doctor`)")
    _check_hook_copy()
    with _locks_guard:
        lock = _locks.setdefault((go.path, _memo_key(target)), threading.Lock())
    with lock:
        t0 = time.monotonic()
        memo = _memo_read(go, target) if use_cache else None
        if memo is None:
            b = _build_with(go, target, _plan(go, target), use_cache)
        elif ((cache_dir() / memo["key"] / "pkg.test").exists()
              and _source_signature(list(memo["plan"].dirs), list(memo["plan"].files)) == memo["sig"]):
            p = memo["plan"]
            b = TestBinary(cache_dir() / memo["key"] / "pkg.test", target, p.import_path, Path(p.pkg_dir),
                           tuple(memo["tests"]), p.module, go, True)
        else:
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(1) as pool:
                fresh = pool.submit(_plan, go, target)
                try:
                    b, err = _build_with(go, target, memo["plan"], use_cache), None
                except (LeakLabError, OSError) as e:  # e.g. a test file removed since
                    b, err = None, e
                plan = fresh.result()
            if plan != memo["plan"]:  # files added or removed, imports changed: build what go list says
                b, err = _build_with(go, target, plan, use_cache), None
            if err is not None:
                raise err
        return replace(b, build_s=time.monotonic() - t0)


def _tests_of(plan: _Plan, target: str) -> tuple[list[tuple[str, str]], dict[Path, str], str, str]:
    """The Test functions (name, "int" | "ext") in go test's order, the sources that declare
    them, the package's name and its external test package's name."""
    pkg_dir, name, xname = Path(plan.pkg_dir), plan.name, ""
    tests: list[tuple[str, str]] = []
    sources: dict[Path, str] = {}
    for kind, files in (("int", plan.internal), ("ext", plan.external)):
        for f in files:
            src = (pkg_dir / f).read_text(errors="replace")
            found = [m.group(1) for m in _TEST_FUNC.finditer(src) if _is_test(m)]
            if kind == "ext" and not xname and (m := _PKG_CLAUSE.search(_go_decls(src))):
                xname = m.group(1)
            if not name and kind == "int" and (m := _PKG_CLAUSE.search(_go_decls(src))):
                name = m.group(1)
            if found:
                sources[pkg_dir / f] = src
                tests += [(t, kind) for t in found]
    if not tests:
        raise TargetError(f"{target}: its _test.go files declare no Test function "
                          "(check --test runs Test functions)")
    if not name:
        raise TargetError(f"{target}: cannot tell the package's name")
    return tests, sources, name, xname or name + "_test"


def _build_with(go: Go, target: str, plan: _Plan, use_cache: bool) -> TestBinary:
    tests, sources, name, xname = _tests_of(plan, target)
    names = [t for t, _ in tests]
    pkg_dir = Path(plan.pkg_dir)
    sig = _source_signature(list(plan.dirs), list(plan.files))
    key = hashlib.sha256(b"\0".join([b"test", go.version.encode(), go.path.encode(), _env_key(),
                                     json.dumps(asdict(plan)).encode(), sig.encode()])).hexdigest()[:24]
    cached = cache_dir() / key / "pkg.test"
    memo = {"key": key, "sig": sig, "tests": names, "plan": asdict(plan)}
    fresh = not (use_cache and cached.exists())
    if fresh:
        _compile(go, target, plan, tests, sources, name, xname, cached)
    write_atomic(_memo_path(go, _memo_key(target)), json.dumps(memo))
    return TestBinary(cached, target, plan.import_path, pkg_dir, tuple(names), plan.module, go, not fresh)


def _compile(go: Go, target: str, plan: _Plan, tests: list[tuple[str, str]], sources: dict[Path, str],
             name: str, xname: str, cached: Path) -> None:
    """`go test -c -overlay` with the probe and the renamed tests, into `cached`."""
    pkg_dir, cwd = Path(plan.pkg_dir), Path(plan.cwd)
    work = Path(tempfile.mkdtemp(prefix="leaklab-testbuild-"))
    try:
        overlay: dict[Path, Path] = {}
        copies: dict[str, str] = {}   # work copy -> the user's file, for Go's messages
        for i, (orig, src) in enumerate(sources.items()):
            renamed = _TEST_FUNC.sub(lambda m: (f"func {RENAMED}{m.group(1)}({m.group(2)}" if _is_test(m)
                                                else m.group(0)), src)
            copy = work / f"{i}_{orig.name}"
            copy.write_text(renamed)
            overlay[orig] = copy
            copies[str(copy)] = str(orig)
        run_src, end_src = RUN_SOURCE.read_text(), END_SOURCE.read_text()

        def add(fname: str, text: str) -> None:
            (work / fname).write_text(text)
            overlay[pkg_dir / fname] = work / fname

        add("zz_leaklab_testrun_test.go", _package(run_src, name))
        add("zz_leaklab_testprobe_test.go", _package(end_src, name))
        if internal := [t for t, k in tests if k == "int"]:
            add("zz_leaklab_testwrap_test.go", _wrappers(name, internal))
        if external := [t for t, k in tests if k == "ext"]:
            add("zz_leaklab_testrun_x_test.go", _package(run_src, xname))
            add("zz_leaklab_testwrap_x_test.go", _wrappers(xname, external))
        (work / "overlay.json").write_text(json.dumps({"Replace": {str(k): str(v) for k, v in overlay.items()}}))
        out_bin = work / "pkg.test"
        res = go.run("test", "-c", "-overlay", str(work / "overlay.json"), "-ldflags=-checklinkname=0",
                     "-o", str(out_bin), plan.arg, cwd=cwd, timeout=900)
        if res.returncode != 0 or not out_bin.exists():
            if line := missing_module(res.stderr):
                raise ToolchainError(line)
            raise BuildError(_messages(res.stderr, copies, cwd, pkg_dir) or ["go test -c failed"], target)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        shutil.copyfile(out_bin, tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, cached)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _package(src: str, name: str) -> str:
    return _PKG_CLAUSE.sub(f"package {name}", src, count=1)


def _wrappers(pkg: str, tests: list[str]) -> str:
    lines = [f"// Generated by Go Leak Lab's harness (check --test): each test under its pprof label.\n\n"
             f"package {pkg}\n\nimport leaklabtesting \"testing\"\n"]
    for t in tests:
        lines.append(f"\nfunc {t}(t *leaklabtesting.T) {{ leaklabRunTest(t, {json.dumps(t)}, {RENAMED}{t}) }}\n")
    return "".join(lines)


def _messages(stderr: str, copies: dict[str, str], cwd: Path, pkg_dir: Path) -> list[str]:
    """Go's own file:line messages, with the overlay copies named as the user's files."""
    msgs = []
    for line in stderr.splitlines():
        if line.startswith(("#", "FAIL")) or not line.strip():
            continue
        for copy, orig in copies.items():
            for form in (copy, os.path.relpath(copy, cwd)):
                line = line.replace(form, os.path.relpath(orig, pkg_dir))
        line = line.replace(str(pkg_dir) + "/", "").removeprefix("./")
        msgs.append(line.replace(RENAMED, "").strip())
    picked = [m for m in msgs if re.match(r"^\S+\.go:\d+(:\d+)?: ", m)] or msgs
    return picked


# --- the run and what it tells --------------------------------------------------------------

@dataclass
class TestResult:
    """One top-level test: its outcome and the goroutines it started that outlived the suite."""
    __test__ = False  # not a pytest class

    name: str
    status: str                 # pass | fail | skip | unknown
    elapsed_s: float | None
    parallel: bool              # called t.Parallel (go test paused it)
    left: int                   # goroutines it started still alive when the suite ended
    proven: int                 # ...of them proven leaked (goroutineleak profile)
    blocked: int                # ...not proven, but blocked on channels or locks
    sites: list[collect.LeakSite]
    goleak: bool = False        # goleak reported (some of) them too: listed once, here
    goleak_blamed: list[str] = field(default_factory=list)  # goleak's report here named these tests' goroutines
    kinds: list[str] = field(default_factory=list)     # each site's class (proven, blocked, parked...)
    counted: list[bool] = field(default_factory=list)  # whether each site counts as a leak

    @property
    def leak(self) -> bool:
        return bool(self.proven or self.blocked)

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "elapsed_s": self.elapsed_s, "parallel": self.parallel,
                "left": self.left, "proven": self.proven, "blocked": self.blocked, "leak": self.leak,
                "goleak": self.goleak, "goleak_blamed": self.goleak_blamed,
                "sites": [dict(s.to_dict(), **{"class": k, "leak": c}) for s, k, c in
                          zip(self.sites, self.kinds or [""] * len(self.sites), self.counted or [False] * len(self.sites))]}


@dataclass
class TestRun:
    """A package's test suite, run once under the probe: as plain data."""
    __test__ = False  # not a pytest class

    label: str
    target: str
    import_path: str
    args: list[str]
    go_version: str
    exit: str                   # exited | timeout | memory_cap | crashed | interrupted
    returncode: int | None
    message: str
    wall_s: float
    cpu_s: float
    peak_rss: int
    build_s: float
    cached: bool
    attribution: str            # "per test" or "per package: why"
    tests: list[TestResult]
    outside: TestResult         # goroutines no test label names (init, TestMain, ...)
    samples: list[dict]         # at the suite's start, each test's start and end
    final: dict | None          # after the leak-detecting GC at the end
    verdict: Verdict
    failed: list[str]
    goleak_main: bool           # goleak.VerifyTestMain reported goroutines at the end
    stdout_tail: str
    stderr_tail: str
    heap_start: bytes | None = field(default=None, repr=False)
    heap_end: bytes | None = field(default=None, repr=False)
    go: Go | None = field(default=None, repr=False)
    _heap_top: list[dict] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.exit == "exited"

    @property
    def sites(self) -> list[collect.LeakSite]:
        return [s for t in [*self.tests, self.outside] for s in t.sites]

    @property
    def heap_retained(self) -> float | None:
        """Live heap after the suite minus before it (both right after a GC), in bytes."""
        start = next((s for s in self.samples if s.get("event") == "suite"), None)
        if not start or not self.final or "heap_live" not in self.final:
            return None
        return float(self.final["heap_live"]) - float(start.get("heap_live", 0))

    @property
    def heap_top(self) -> list[dict]:
        """Where the retained heap was allocated: `go tool pprof -top -diff_base` of the heap
        profiles before and after the suite (in-use bytes; sampled, as heap profiles are).
        Computed the first time it is asked for."""
        if self._heap_top is None:
            self._heap_top = []
            if self.heap_start and self.heap_end and self.go is not None:
                with tempfile.TemporaryDirectory(prefix="leaklab-pprof-") as tmp:
                    a, b = Path(tmp) / "start.pb.gz", Path(tmp) / "end.pb.gz"
                    a.write_bytes(self.heap_start)
                    b.write_bytes(self.heap_end)
                    rows = collect.pprof_top(self.go, b, "inuse_space", diff_base=a, nodecount=10,
                                             ignore="leaklabTest|leaklabOpenTestOut")  # not leaklabRunTest: every test runs under it
                    self._heap_top = [dict(r, function=_unrename(r["function"]).removesuffix(" (inline)"))
                                      for r in rows if r["flat"] > 0]
        return self._heap_top

    def report(self) -> dict:
        """The JSON report (`check --test --json`): `check`'s keys, plus the tests."""
        return {
            "target": self.target, "args": self.args, "label": self.label, "mode": "test",
            "package": self.import_path,
            "verdict": self.verdict.verdict, "headline": self.verdict.headline, "reasons": self.verdict.reasons,
            "go_version": self.go_version, "exit": self.exit, "returncode": self.returncode,
            "message": self.message, "wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3),
            "peak_rss": self.peak_rss, "build_s": round(self.build_s, 3), "cached_build": self.cached,
            "trends": self.verdict.to_dict(),
            "goroutine_leaks": [dict(s.to_dict(), test=t.name if t is not self.outside else None)
                                for t in [*self.tests, self.outside] for s in t.sites],
            "series": self.samples, "final": self.final, "paced_by": None, "gctrace": [],
            "heap_top": self.heap_top,
            "attribution": self.attribution,
            "tests": [t.to_dict() for t in self.tests],
            "outside_tests": self.outside.to_dict(),
            "failed": self.failed, "goleak_main": self.goleak_main,
            "heap": {"start_live": next((s.get("heap_live") for s in self.samples if s.get("event") == "suite"), None),
                     "end_live": (self.final or {}).get("heap_live"), "retained": self.heap_retained},
        }


def _unrename(text: str) -> str:
    return text.replace(RENAMED, "")


def parse_labels(dump: str) -> tuple[str, dict[int, dict[str, str]]]:
    """A goroutine dump with Go 1.27's labels (`goroutine 7 [chan receive] {k: v}:`): the dump
    without them (as collect.parse_goroutines reads it) and each goroutine's labels by id."""
    labels: dict[int, dict[str, str]] = {}

    def strip(m: re.Match) -> str:
        kv = {}
        for km in _LABEL_KV.finditer(m.group(3)):
            k = json.loads(f'"{km.group(1)}"') if km.group(1) is not None else km.group(2)
            v = json.loads(f'"{km.group(3)}"') if km.group(3) is not None else km.group(4)
            if k:
                kv[k] = v
        labels[int(m.group(2))] = kv
        return m.group(1) + ":"
    return _HDR_LABELS.sub(strip, dump), labels


def _events(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue   # a line cut by a kill
    return out


def _test2json_path(go: Go) -> str | None:
    """Where `go tool -n test2json` says the tool is, remembered on disk: asking takes the go
    command's start-up, a tenth of a second or more, in every `check --test` process."""
    memo = cache_dir() / "tools" / (hashlib.sha256(f"{go.path}\0{go.version}".encode()).hexdigest()[:16] + ".json")
    try:
        path = json.loads(memo.read_text())["test2json"]
        if Path(path).exists():
            return path
    except (OSError, ValueError, KeyError, TypeError):
        pass
    path = _tool_path(go, "test2json")
    if path:
        write_atomic(memo, json.dumps({"test2json": path}))
    return path


def read_test2json(go: Go, stdout: bytes, import_path: str) -> list[dict]:
    """The test binary's -test.v=test2json output as `go tool test2json -t` events (-t: with Time and Elapsed)."""
    exe = _test2json_path(go)
    argv = [exe] if exe else [go.path, "tool", "test2json"]
    res = subprocess.run([*argv, "-t", "-p", import_path], input=stdout, capture_output=True, env=go.env(), timeout=120)
    return _events(res.stdout.decode(errors="replace"))


def _sites(group: list[collect.Goroutine], root: str) -> list[collect.LeakSite]:
    sites = collect.leak_sites(group, root)
    for s in sites:
        s.function, s.created_by_function = _unrename(s.function), _unrename(s.created_by_function)
        s.stack = [_unrename(x) for x in s.stack]
        if hasattr(s, "top"):
            s.top = _unrename(s.top)
    return sites


def _classes(verdict: Verdict, sites: list[collect.LeakSite]) -> list[tuple[str, bool]]:
    """(class, counts as a leak) of each site, as the verdict judged it (proven, blocked, parked,
    ignored...: harness/verdict.py's rules, which `check` uses too); with a verdict that does not
    classify sites, proven or blocked on a channel or lock counts."""
    classes = getattr(verdict, "site_classes", None)
    out = []
    for i, s in enumerate(sites):
        ev = classes.get(i) if classes is not None else None
        if ev is not None:
            out.append((ev.kind, bool(ev.leak)))
        elif classes is not None:
            out.append(("alive", False))
        else:
            blocked = s.wait_reason.startswith(_SYNC_WAITS)
            out.append(("proven" if s.proven else "blocked" if blocked else "alive", s.proven or blocked))
    return out


def _result(name: str, group: list[collect.Goroutine], sites: list[collect.LeakSite],
            classes: list[tuple[str, bool]], goleak_ids: set[int], status="unknown", elapsed=None,
            parallel=False, goleak_said=False) -> TestResult:
    ids = {g.id for g in group}
    return TestResult(name, status, elapsed, parallel, left=sum(s.count for s in sites),
                      proven=sum(s.count for s, (k, _) in zip(sites, classes) if k == "proven"),
                      blocked=sum(s.count for s, (k, leak) in zip(sites, classes) if leak and k != "proven"),
                      sites=sites, goleak=goleak_said or bool(ids & goleak_ids), kinds=[k for k, _ in classes],
                      counted=[c for _, c in classes])


def check_tests(target: str | os.PathLike, run: str | None = None, args: list[str] | None = None,
                timeout: float = DEFAULT_TIMEOUT, rss_cap: int = DEFAULT_RSS_CAP, go: Go | None = None,
                label: str = "", env: dict[str, str] | None = None, thresholds: Thresholds = Thresholds(),
                use_cache: bool = True, strict: bool | None = None, ignore=None) -> TestRun:
    """Build a package's test binary with the probe, run its tests once (`run`: go test's -run
    regex; `args`: more flags for the test binary, e.g. ["-test.short"]) and report, per test,
    the goroutines it left behind, proven leaks with their sites, and the heap the suite retained.
    `timeout` is the test binary's -test.timeout (seconds)."""
    go = go or find_go()
    binary = build_tests(target, go, use_cache=use_cache)
    return run_tests(binary, run, args, timeout, rss_cap, label, env, thresholds, strict, ignore)


def run_tests(binary: TestBinary, run: str | None = None, args: list[str] | None = None,
              timeout: float = DEFAULT_TIMEOUT, rss_cap: int = DEFAULT_RSS_CAP, label: str = "",
              env: dict[str, str] | None = None, thresholds: Thresholds = Thresholds(),
              strict: bool | None = None, ignore=None) -> TestRun:
    """Run a test binary from build_tests (see check_tests). `strict`, `ignore`: as for `check`
    (goleak's rule; goleak-style ignores), where the verdict has them."""
    go, args = binary.go, list(args or [])
    check_platform()
    remove_stale_runs()
    work = Path(tempfile.mkdtemp(prefix=f"{_RUN_PREFIX}{_owner_tag(os.getpid())}-"))
    try:
        godebug = ",".join(x for x in ((env or {}).get("GODEBUG", os.environ.get("GODEBUG", "")),
                                       "tracebacklabels=1") if x)
        run_env = go.env({"LEAKLAB_TEST_DIR": str(work), **(env or {}), "GODEBUG": godebug})
        # The tests run in their package's folder, as under `go test` (testdata/ is relative).
        argv = ["/bin/sh", "-c", 'cd "$0" && exec "$@"', str(binary.package_dir), str(binary.path),
                "-test.v=test2json", f"-test.timeout={timeout:g}s", *([f"-test.run={run}"] if run else []), *args]
        outcome = supervise(argv, work, run_env, timeout, rss_cap, grace_s=GRACE_S)
        stdout = (work / "stdout").read_bytes() if (work / "stdout").exists() else b""
        stderr = (work / "stderr").read_text(errors="replace") if (work / "stderr").exists() else ""
        events = _events((work / "tests.jsonl").read_text()) if (work / "tests.jsonl").exists() else []
        dump = (work / "goroutines.txt").read_text(errors="replace") if (work / "goroutines.txt").exists() else ""
        heap_start = (work / "heap-start.pb.gz").read_bytes() if (work / "heap-start.pb.gz").exists() else None
        heap_end = (work / "heap.pb.gz").read_bytes() if (work / "heap.pb.gz").exists() else None
    finally:
        shutil.rmtree(work, ignore_errors=True)

    tj = read_test2json(go, stdout, binary.import_path) if stdout else []
    text_out = stdout.decode(errors="replace")
    exit_, message = outcome.exit, outcome.message
    pkg_result = next((e["Action"] for e in reversed(tj) if not e.get("Test") and e.get("Action") in ("pass", "fail")), None)
    if exit_ == "crashed":
        if "panic: test timed out after" in text_out + stderr:
            exit_, message = "timeout", next(ln.strip() for ln in (text_out + "\n" + stderr).splitlines()
                                              if "panic: test timed out after" in ln)
        elif outcome.returncode == 1 and pkg_result == "fail" and "\npanic: " not in "\n" + text_out + "\n" + stderr:
            exit_, message = "exited", ""   # tests failed: a result, not a crash
        else:
            message = _crash(text_out + "\n" + stderr, tj, goroot(go), outcome.returncode)
    if exit_ == "exited" and not any(e.get("event") == "exit" for e in events):
        exit_, message = "crashed", ("the test binary ended without the probe's end capture "
                                     f"(status {outcome.returncode}): " + _crash_line(stderr, outcome.returncode))
    ran = [e["Test"] for e in tj if e.get("Action") == "run" and e.get("Test") and "/" not in e["Test"]]
    if exit_ == "exited" and not ran and not any(e.get("event") == "start" for e in events):
        raise TargetError(f"no test of {binary.target} matches -run {run!r} (its tests: {', '.join(binary.tests[:8])}"
                          f"{', …' if len(binary.tests) > 8 else ''})" if run else
                          f"{binary.target}: no test ran" + (f" (the test binary said: {said!r})" if (said := next(
                              (e.get("Output", "").strip() for e in tj if e.get("Action") == "output"
                               and e.get("Output", "").strip() and not e["Output"].startswith(("PASS", "ok", "FAIL"))),
                              "")) else ""))

    # Per-test outcomes (go test's own), their spans (the probe's), goleak's words.
    status = {e["Test"]: e["Action"] for e in tj if e.get("Test") and e.get("Action") in ("pass", "fail", "skip")}
    # (test2json leaves out an Elapsed of 0)
    elapsed = {e["Test"]: e.get("Elapsed", 0.0) for e in tj if e.get("Test") and e.get("Action") in ("pass", "fail", "skip")}
    paused = {e["Test"] for e in tj if e.get("Action") == "pause" and e.get("Test")}
    out_by_test: dict[str, list[str]] = {}
    pkg_out: list[str] = []
    for e in tj:
        if e.get("Action") == "output":
            if e.get("Test"):
                out_by_test.setdefault(e["Test"].split("/")[0], []).append(e.get("Output", ""))
            else:
                pkg_out.append(e.get("Output", ""))
    goleak_text = "".join(o for outs in out_by_test.values() for o in outs) + "".join(pkg_out) + stderr
    goleak_ids = {int(x) for x in _GOLEAK_ID.findall(goleak_text)} if "found unexpected goroutines" in goleak_text else set()
    goleak_by_test = {t: {int(x) for x in _GOLEAK_ID.findall("".join(o))} for t, o in out_by_test.items()}
    goleak_main = "goleak: Errors on successful test run" in "".join(pkg_out) + stderr

    t0 = next((e["ns"] for e in events if e.get("event") == "suite"), events[0]["ns"] if events else 0)
    samples = []
    for e in events:
        s = {k: v for k, v in e.items() if k != "ns"}
        s["t"] = round((e["ns"] - t0) / 1e9, 6)
        if not s.get("test"):
            s.pop("test", None)
        samples.append(s)
    final = next((s for s in samples if s.get("event") == "final"), None)
    series = [s for s in samples if s.get("event") in ("suite", "start", "end", "tests_done")]
    spans: dict[str, list[float]] = {}
    for s in series:
        if s.get("event") == "start":
            spans[s["test"]] = [s["t"], float("inf")]
        elif s.get("event") == "end" and s.get("test") in spans:
            spans[s["test"]][1] = s["t"]

    root = goroot(go)
    stripped, labels = parse_labels(dump)
    goroutines = collect.parse_goroutines(stripped)
    labelled = bool(labels) or go.major_minor >= (1, 27)
    attribution = ("per test (pprof labels in the end-of-suite goroutine dump)" if labelled else
                   f"per package: {go.version} prints no goroutine labels in dumps (Go 1.27 does)")
    groups: dict[str | None, list[collect.Goroutine]] = {}
    for g in goroutines:
        test = labels.get(g.id, {}).get(LABEL) if labelled else None
        groups.setdefault(test if test in binary.tests else None, []).append(g)
    order = [t for t in binary.tests if t in status or t in spans]
    owners = [*order, None]
    site_lists = [_sites(groups.get(t, []), root) for t in owners]
    all_sites = [s for sl in site_lists for s in sl]
    # The package's own code, for the verdict's rules on goroutines parked at the end.
    own = tuple(dict.fromkeys(x for x in (binary.import_path + ".", binary.module + ".", binary.module + "/")
                              if x not in (".", "/")))
    kw = {k: v for k, v in (("own", own), ("strict", strict), ("ignore", ignore))
          if k in inspect.signature(decide).parameters and v is not None}
    verdict = decide(series, all_sites, "exited" if exit_ == "exited" else exit_, thresholds, final=None, **kw)
    classes = _classes(verdict, all_sites)
    results, i = [], 0
    owner = {g.id: o for o, gs in groups.items() for g in gs}
    for t, sl in zip(owners, site_lists):
        cl, i = classes[i:i + len(sl)], i + len(sl)
        if t is None:
            outside = _result(OUTSIDE, groups.get(None, []), sl, cl, goleak_ids, goleak_said=goleak_main)
        else:
            said = any("found unexpected goroutines" in o for o in out_by_test.get(t, []))
            r = _result(t, groups.get(t, []), sl, cl, goleak_ids, status.get(t, "unknown"), elapsed.get(t),
                        t in paused, said)
            # goleak blames the test it runs in for every goroutine it finds, also another test's.
            # (goroutines that ended before the suite did are in no dump: nobody to blame)
            r.goleak_blamed = sorted({owner[i] or OUTSIDE for i in goleak_by_test.get(t, set()) if i in owner} - {t})
            results.append(r)
    head = _headline(verdict, results, outside, labelled)
    if exit_ != "exited" and not verdict.leak:
        head = f"not judged: {exit_} — {message}"
    verdict = replace(verdict, headline=head)
    failed = [t for t in order if status.get(t) == "fail"]
    return TestRun(label=label or binary.import_path.rsplit("/", 1)[-1], target=binary.target,
                   import_path=binary.import_path, args=args, go_version=go.version, exit=exit_,
                   returncode=outcome.returncode, message=message, wall_s=outcome.wall_s, cpu_s=outcome.cpu_s,
                   peak_rss=outcome.peak_rss, build_s=binary.build_s, cached=binary.cached,
                   attribution=attribution, tests=results, outside=outside, samples=series, final=final,
                   verdict=verdict, failed=failed, goleak_main=goleak_main,
                   stdout_tail=text_out[-4096:], stderr_tail=stderr[-4096:], heap_start=heap_start,
                   heap_end=heap_end, go=go)


def _crash(text: str, tj: list[dict], root: str, returncode: int | None) -> str:
    """One line for a test binary that panicked: the test, the panic, and where in the
    package's own code (the first frame outside the Go root)."""
    lines = text.splitlines()
    i = next((i for i, ln in enumerate(lines) if ln.startswith(("panic: ", "fatal error: "))), None)
    if i is None:
        return _crash_line(text, returncode)
    where = ""
    for ln in lines[i + 1:]:
        s = ln.strip()
        if s.startswith("/") and ".go:" in s and not s.startswith(root.rstrip("/") + "/"):
            where = " at " + Path(s.split(" +0x")[0]).name
            break
    ended = {e["Test"] for e in tj if e.get("Action") in ("pass", "skip", "fail") and e.get("Test")}
    failed = [e["Test"] for e in tj if e.get("Action") == "run" and e.get("Test") and e["Test"] not in ended] or \
        [e["Test"] for e in tj if e.get("Action") == "fail" and e.get("Test")]
    who = f"test {_unrename(failed[0])} panicked: " if failed else "the test binary crashed: "
    return who + lines[i].strip() + where


def _describe(r: TestResult) -> str:
    top = r.sites[0]
    what = (f"{r.proven:,} proven leaked" if r.proven else f"{r.blocked:,} still blocked (suspected)")
    more = f", +{len(r.sites) - 1} more site{'s' * (len(r.sites) > 2)}" if len(r.sites) > 1 else ""
    return f"{r.name} ({what} at {top.function} ({top.location}) [{top.wait_reason}]{more})"


def _headline(v: Verdict, results: list[TestResult], outside: TestResult, labelled: bool) -> str:
    leaking = [r for r in results if r.leak]
    parts = []
    if leaking:
        names = "; ".join(_describe(r) for r in leaking[:3])
        more = f"; {len(leaking) - 3} more" if len(leaking) > 3 else ""
        parts.append(f"{len(leaking)} of {len(results)} test{'s' * (len(results) != 1)} left goroutines behind: "
                     f"{names}{more}")
    if outside.leak:
        parts.append(_describe(outside) + ("" if labelled else " — per package: no per-test attribution"))
    if v.goroutines and v.goroutines.growing:
        parts.append(f"goroutines grew {v.goroutines.growth:+,.0f} over the suite")
    if v.heap and v.heap.growing:
        parts.append(f"live heap grew over the suite ({v.heap.slope / 1e3:+,.1f} kB/s)")
    if v.leak:
        return "LEAK: " + "; ".join(parts) if parts else v.headline
    left = sum(r.left for r in results) + outside.left
    head = f"clean: no test left a goroutine blocked ({len(results)} test{'s' * (len(results) != 1)})"
    if left:
        head += f"; {left:,} goroutine{'s' * (left != 1)} still alive at the end (sleeping or in I/O, not proven leaks)"
    return head


# --- for people ----------------------------------------------------------------------------

def _bytes(x: float) -> str:
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(x) >= div:
            return f"{x / div:,.1f} {unit}"
    return f"{x:,.0f} B"


def summary(run: TestRun, heap_sites: bool | None = None) -> str:
    """What `check --test` prints: the verdict, one line per test, the sites, the heap.
    `heap_sites`: list where the retained heap was allocated (runs `go tool pprof`); by default
    only when the suite retained at least a MB."""
    lines = [f"{run.label} (tests of {run.import_path}): {run.verdict.headline}",
             f"  ended: {run.exit} after {run.wall_s:.2f} s ({run.go_version}), build {run.build_s:.2f} s"
             f"{' (cached)' if run.cached else ''}, peak RSS {run.peak_rss / 2**20:.1f} MiB; attributed {run.attribution}"
             + (f" — {run.message}" if run.message else "")]
    width = max([len(t.name) for t in run.tests] + [len(OUTSIDE)])
    for t in [*run.tests, run.outside]:
        if t is run.outside and not t.left:
            continue
        st = t.status.upper() if t is not run.outside else ""
        el = f"{t.elapsed_s:.2f}s" if t.elapsed_s is not None else ""
        left = ("not measured (no end state)" if not run.ok else
                f"left {t.left:,}: {t.proven:,} proven leaked, {t.blocked:,} blocked" if t.leak else
                f"left {t.left:,} (not blocked)" if t.left else "none left")
        tags = [x for x in ("parallel" if t.parallel else "", "goleak reported it too" if t.goleak and t.leak else "",
                            f"goleak's failure here is about goroutines of {', '.join(t.goleak_blamed)}"
                            if t.goleak_blamed else "") if x]
        lines.append(f"  {t.name:<{width}}  {st:<4} {el:>6}  {left}{'  [' + ', '.join(tags) + ']' if tags else ''}")
        for s, k, c in list(zip(t.sites, t.kinds, t.counted))[:4]:
            tag = k if c else (k + ", not counted" if k not in ("alive", "running") else "alive")
            lines.append(f"      {s.count:>5,} × {s.function} [{s.wait_reason}] at {s.location}, created at "
                         f"{s.created_by or '?'} ({tag})")
        if len(t.sites) > 4:
            lines.append(f"      … {len(t.sites) - 4} more sites (see --json)")
    retained = run.heap_retained
    if retained is not None:
        start = next(s.get("heap_live", 0) for s in run.samples if s.get("event") == "suite")
        lines.append(f"  heap retained across the suite: {'+' if retained >= 0 else ''}{_bytes(retained)} live "
                     f"({_bytes(start)} before the tests, {_bytes(run.final['heap_live'])} after, each after a GC)")
        if heap_sites or (heap_sites is None and retained >= Thresholds().min_heap_bytes):
            for r in run.heap_top[:3]:
                lines.append(f"      {_bytes(r['flat']):>9} {r['function']}")
    if run.failed:
        lines.append(f"  failed: {', '.join(run.failed)}")
    if run.goleak_main:
        lines.append("  goleak.VerifyTestMain reported the goroutines left at the end too (listed once, above)")
    return "\n".join(lines)


def plot_tests(runs, title: str | None = None, width: float = 5.2):
    """Columns = test runs (e.g. a package before and after a fix), y shared per row: the
    goroutines each test left behind (proven leaked, counted as blocked, alive but not counted),
    and the heap at the end of each test, with the live heap after the suite."""
    from matplotlib.ticker import EngFormatter, MaxNLocator

    from .plot import COLORS, color_for, plt
    runs = list(runs) if isinstance(runs, (list, tuple)) else [runs]
    w, h = width * len(runs), 7.0
    fig, axes = plt.subplots(2, len(runs), figsize=(w, h), sharey="row", squeeze=False)
    fig.subplots_adjust(left=1.0 / w, right=1 - 0.15 / w, bottom=1.3 / h, top=1 - (0.75 if title else 0.4) / h,
                        wspace=0.08 * len(runs), hspace=0.75)
    for col, run in enumerate(runs):
        c = color_for(run.label, col)
        ax = axes[0][col]
        rows = [*run.tests] + ([run.outside] if run.outside.left else [])
        xs = list(range(len(rows)))
        proven = [r.proven for r in rows]
        blocked = [r.blocked for r in rows]
        alive = [r.left - r.proven - r.blocked for r in rows]
        ax.bar(xs, proven, color=COLORS["leaky"], label="proven leaked")
        ax.bar(xs, blocked, bottom=proven, color=COLORS["exercise"], label="blocked, counted (suspected)")
        ax.bar(xs, alive, bottom=[a + b for a, b in zip(proven, blocked)], color="#bdc3c7", label="alive, not counted")
        ax.set_xticks(xs, [r.name + (" ∥" if r.parallel else "") for r in rows], rotation=35, ha="right", fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(run.label, color=c, fontweight="bold", loc="left")
        ax.set_title(run.verdict.verdict.upper(), fontweight="bold", loc="right",
                     color=COLORS["leaky"] if run.verdict.leak else COLORS["fixed"])
        ax.grid(alpha=0.3, axis="y")
        if col == 0:
            ax.set_ylabel("goroutines left\nafter the suite")
            ax.legend(loc="upper left", fontsize=8)
        # Memory at each test's end, in the order the tests ended (quick tests take microseconds:
        # a time axis would squeeze them into one point).
        hx = axes[1][col]
        pts = [s for s in run.samples if s.get("event") in ("suite", "end")]
        names = ["before" if s.get("event") == "suite" else s.get("test", "") for s in pts]
        if run.final:
            pts, names = pts + [run.final], names + ["after (GC)"]
        xs = list(range(len(pts)))
        hx.step(xs, [s.get("heap_live", 0) for s in pts], where="mid", color=c, lw=2, label="live heap (at last GC)")
        hx.plot(xs, [s.get("heap_object_bytes", 0) for s in pts], color=c, lw=0.8, alpha=0.45, marker=".",
                label="heap in use (incl. garbage)")
        if run.final:
            hx.plot([xs[-1]], [run.final.get("heap_live", 0)], "o", color=c, ms=6)
        hx.set_xticks(xs, names, rotation=35, ha="right", fontsize=8)
        hx.yaxis.set_major_formatter(EngFormatter(unit="B"))
        hx.set_xlabel("at the end of each test, in the order they ended")
        hx.grid(alpha=0.3)
        if col == 0:
            hx.set_ylabel("memory")
            hx.legend(loc="upper left", fontsize=8)
    for a in axes.flat:
        a.set_ylim(bottom=0)
    axes[0][0].set_ylim(top=max(1, axes[0][0].get_ylim()[1]) * 1.5)  # room for the legend
    axes[1][0].set_ylim(top=axes[1][0].get_ylim()[1] * 1.35)
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


def cli_check(args) -> int:
    """`python -m harness check --test PKG ...`: exit 0 clean, 1 leak, 2 bad input or build
    error, 3 the test binary crashed, timed out or passed the memory cap. Tests that fail for
    another reason than a leak are listed, and do not change the status."""
    if getattr(args, "interval", None) or getattr(args, "gctrace", False):
        raise LeakLabError("--interval and --gctrace are for programs; not with --test")
    ignore = None
    if getattr(args, "ignore_top", None) or getattr(args, "ignore_created_by", None):
        from .verdict import Ignore
        ignore = Ignore(tuple(args.ignore_top), tuple(args.ignore_created_by))
    run = check_tests(args.path, run=args.run, args=args.arg, timeout=args.timeout or DEFAULT_TIMEOUT,
                      rss_cap=args.rss_cap, strict=getattr(args, "strict", False) or None, ignore=ignore)
    print(summary(run))
    if args.json:
        Path(args.json).write_text(json.dumps(run.report(), indent=1))
    if args.png:
        plot_tests([run]).savefig(args.png, dpi=110)
    if not run.ok:
        print(f"error: {run.label}: {run.message}", file=sys.stderr)
        return 3
    if run.failed and not run.verdict.leak:
        print(f"note: {len(run.failed)} test{'s' * (len(run.failed) != 1)} failed, not for a leak: "
              f"{', '.join(run.failed[:5])}", file=sys.stderr)
    return 1 if run.verdict.leak else 0

"""Lab 26 (pprof in practice): `go tool pprof -http` served on 127.0.0.1 and its pages (flame
graph, source view) embedded in the notebook, so that they work headless and in the docs; text
modes (-top, -tags) with the probe left out and paths made relative; goroutine profiles read by
label; and the task: carry a request's pprof labels through a worker pool (tasks/pprof_labels)."""

from __future__ import annotations

import functools
import html as _html
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BuildError, LeakLabError
from ..measure import Run, check as _check, goroot
from ..samples import samples_dir
from ..supervise import Helper
from ..tasks import TaskResult, task
from ..toolchain import Go, find_go
from ..notebook import show_html as _html_out

HIDE = "-ignore=leaklabProbeState|leaklabNewProbe|leaklabGo|leaklabArmGCHook"   # the harness's probe: never shown


@functools.lru_cache(maxsize=None)
def _modcache(go: Go) -> str:
    return go.run("env", "GOMODCACHE").stdout.strip()


def _relative(text: str, go: Go | None = None) -> str:
    """Paths of this machine as a learner finds them: $GOROOT/..., $GOMODCACHE/..., go_samples/...
    (the longest, most specific prefixes first: GOROOT may lie inside the repository's .venv)."""
    import os
    go = go or find_go()
    g = goroot(go)
    if g:
        text = text.replace(g.rstrip("/") + "/", "$GOROOT/")
    cache = os.environ.get("GOMODCACHE") or _modcache(go)
    if cache:
        text = text.replace(cache.rstrip("/") + "/", "$GOMODCACHE/")
    root = samples_dir()
    for p in {str(root.resolve()), str(root)}:
        text = text.replace(p + "/", "go_samples/")
    text = text.replace(str(root.resolve().parent) + "/", "")
    return re.sub(r"/tmp/leaklab-[\w./-]+/", "", text)


# --- profiles a run kept ------------------------------------------------------------------------

def profiles(run: Run) -> dict[str, list[Path]]:
    """The profiles a run fetched from its own net/http/pprof endpoint, by kind (heap, goroutine,
    profile = CPU), oldest first: files http-<ms>-<kind> in the run's kept folder."""
    if run.artifacts is None:
        raise LeakLabError(f"{run.label}: no kept files; run it with keep=FOLDER")
    out: dict[str, list[Path]] = {}
    for p in sorted(run.artifacts.glob("http-*"), key=lambda p: int(p.name.split("-")[1])):
        if p.name.endswith(".error"):
            continue
        out.setdefault(p.name.split("-", 2)[2], []).append(p)
    return out


def fetched_at(path: Path) -> float:
    """When a fetched profile was taken, in seconds since the run started (from its name)."""
    return int(path.name.split("-")[1]) / 1000


# --- text modes -----------------------------------------------------------------------------------

_HEADER = ("File:", "Build ID", "Type:", "Time:", "Duration:", "Active filters:", "Dropped ", "Main binary")


def text(profile: Path, *flags: str, base: Path | None = None, go: Go | None = None) -> str:
    """`go tool pprof FLAGS [-diff_base=base] profile` as text, without the header lines that name
    this machine, the probe left out, paths relative."""
    go = go or find_go()
    args = [HIDE, *flags] + ([f"-diff_base={base}"] if base else []) + [str(profile)]
    res = go.tool("pprof", *args, timeout=120)
    out = res.stdout if res.returncode == 0 else (res.stderr or res.stdout)
    keep = [ln for ln in out.splitlines() if ln.strip() and not ln.startswith(_HEADER) and "leaklab" not in ln]
    return _relative("\n".join(keep), go)


def tags(profile: Path, key: str, go: Go | None = None) -> dict[str, int | str]:
    """`go tool pprof -tags`, for one label key: {value: total}. For a goroutine profile the total
    is a number of goroutines (an int); for a CPU profile a time as pprof prints it ("60ms")."""
    out: dict[str, int | str] = {}
    section = False
    for ln in text(profile, "-tags", f"-tagshow=^{re.escape(key)}$", go=go).splitlines():
        if re.match(r"^\s*\S+: Total", ln):
            section = ln.strip().startswith(f"{key}:")
            continue
        m = re.match(r"^\s*(\S+)\s+\(\s*[\d.]+%\):\s*(.*)$", ln)
        if section and m:
            out[m[2].strip()] = int(m[1]) if m[1].isdigit() else m[1]
    return out


# --- the web UI, on 127.0.0.1 ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PprofUI:
    """`go tool pprof -http=127.0.0.1:PORT -no_browser` on one profile (loopback only), as a
    context manager: `fetch(page)` reads one of its pages; the server is stopped on exit.

        with pprofui.PprofUI(profile, base=older) as ui:
            page = ui.fetch("ui/flamegraph")
    """

    def __init__(self, profile: Path, *flags: str, base: Path | None = None, go: Go | None = None):
        self.go = go or find_go()
        self.profile, self.flags, self.base = Path(profile), flags, base
        self.port = 0
        self.helper: Helper | None = None
        self.log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60) -> "PprofUI":
        self.port = _free_port()
        argv = [str(self.go.path), "tool", "pprof", f"-http=127.0.0.1:{self.port}", "-no_browser", HIDE, *self.flags]
        argv += ([f"-diff_base={self.base}"] if self.base else []) + [str(self.profile)]
        self.helper = Helper(argv, env=self.go.env(), stdin=subprocess.DEVNULL, stdout=self.log,
                             stderr=subprocess.STDOUT)
        try:
            until = time.monotonic() + timeout
            while time.monotonic() < until:
                if self.helper.proc.poll() is not None:
                    self.log.seek(0)
                    raise LeakLabError("go tool pprof -http ended: "
                                       + self.log.read().decode(errors="replace").strip()[-300:])
                try:
                    with urllib.request.urlopen(self.url + "ui/top", timeout=5) as r:
                        if r.status == 200:
                            return self
                except OSError:
                    time.sleep(0.1)
            raise LeakLabError(f"go tool pprof -http did not answer on 127.0.0.1:{self.port} within {timeout:g} s")
        except BaseException:  # an error, or the stop button while it starts: `with` calls no __exit__
            self.stop()
            raise

    def fetch(self, page: str) -> str:
        with urllib.request.urlopen(self.url + page, timeout=60) as r:
            return r.read().decode(errors="replace")

    def stop(self) -> None:
        """Stop the server: `go tool pprof` runs the pprof binary as its child, so the whole group."""
        if self.helper is not None:
            self.helper.stop()
        self.helper = None

    def __enter__(self) -> "PprofUI":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self.log.close()


def page(profile: Path, view: str, *flags: str, base: Path | None = None, go: Go | None = None) -> str:
    """One page of the web UI (`ui/flamegraph`, `ui/source?f=REGEX`, `ui/top`...), as served on
    127.0.0.1, with this machine's paths made relative."""
    go = go or find_go()
    with PprofUI(profile, *flags, base=base, go=go) as ui:
        return _relative(ui.fetch(view), go)


def embed(page_html: str, height: int = 460, caption: str = "") -> str:
    """The page in an iframe of its own (its styles and script stay inside): the page is
    self-contained, so it works without the server, in the notebook and on the docs site. Its
    menus link to the server's other pages, which are not there any more."""
    frame = (f'<iframe srcdoc="{_html.escape(page_html, quote=True)}" '
             f'style="width:100%;height:{height}px;border:1px solid #ccc;border-radius:4px"></iframe>')
    return (f"<p><b>{_html.escape(caption)}</b></p>" if caption else "") + frame


def show(profile: Path, view: str = "ui/flamegraph", *flags: str, base: Path | None = None,
         height: int = 460, caption: str = "") -> None:
    """Serve the profile with `go tool pprof -http=127.0.0.1:PORT`, fetch one page, show it here."""
    shown = " ".join([*flags] + ([f"-diff_base={base.name}"] if base else []) + [profile.name])
    _html_out(embed(page(profile, view, *flags, base=base), height,
                    caption or f"go tool pprof -http=127.0.0.1:PORT {shown}  →  /{view}"))


def graphviz() -> str | None:
    """The `dot` program the graph view needs (the flame graph and source view do not)."""
    return shutil.which("dot")


# --- the task: labels through a worker pool -------------------------------------------------------

PACKAGE = "tasks/pprof_labels"
STUCK = "main.job.fetch"          # where the report jobs' goroutines stay
ROUTE = "/report"


@dataclass
class LabelCount:
    stuck: int = 0                               # goroutines with STUCK in their stack
    by_route: dict[str, int] = field(default_factory=dict)
    tenants: set[str] = field(default_factory=set)
    unlabelled: int = 0


def count_labels(dump: str, function: str = STUCK) -> LabelCount:
    """Read a goroutine profile in its debug=1 text form (`/debug/pprof/goroutine?debug=1`): for
    the goroutines whose stack holds `function`, how many carry which route label, and from how
    many tenants."""
    out = LabelCount()
    for block in re.split(r"\n(?=\d+ @)", dump):
        m = re.match(r"(\d+) @", block)
        if not m or not re.search(rf"\t{re.escape(function)}\b", block):
            continue
        n = int(m[1])
        out.stuck += n
        lab = re.search(r"^# labels: (\{.*\})$", block, re.M)
        labels = dict(re.findall(r'"([^"]+)":"([^"]*)"', lab[1])) if lab else {}
        route = labels.get("route")
        if route is None:
            out.unlabelled += n
        else:
            out.by_route[route] = out.by_route.get(route, 0) + n
        if "tenant" in labels:
            out.tenants.add(labels["tenant"])
    return out


def run_labels(duration: float = 2.0, keep: str | Path | None = None) -> tuple[Run, str]:
    """Build and run tasks/pprof_labels (the learner's jobs.go) with its endpoint, and fetch its
    goroutine profile (debug=1, labels included) near the end. Returns the run and the dump."""
    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="leaklab-labels-"))
    try:
        run = _check(samples_dir() / PACKAGE, args=["-duration", f"{duration:g}s", "-pprof"], duration=duration + 8,
                     label="pprof_labels", keep=tmp, http_fetch=[(duration * 0.9, "/debug/pprof/goroutine?debug=1")])
        dumps = sorted(tmp.glob("http-*-goroutine"))
        return run, (dumps[-1].read_text(errors="replace") if dumps else "")
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


@task("pprof_labels", package=PACKAGE, files=("jobs.go",))
def check_labels(duration: float = 2.0) -> TaskResult:
    """Runs the learner's jobs.go and reads the goroutine profile: done when the goroutines stuck
    in main.job.fetch carry the route (/report) and tenant of the request that left them."""
    try:
        run, dump = run_labels(duration)
    except BuildError as err:
        return TaskResult(False, f"does not build: {err.messages[0] if err.messages else err}")
    if not run.ok:
        return TaskResult(False, f"did not finish: {run.message}")
    if not dump:
        return TaskResult(False, "no goroutine profile could be fetched from the program's endpoint")
    c = count_labels(dump)
    routes = ", ".join(f"{k}: {v}" for k, v in sorted(c.by_route.items())) or "none"
    details = (f"Goroutines whose stack holds `{STUCK}`, by `route` label: {routes}; without one: {c.unlabelled}; "
               f"tenants named: {', '.join(sorted(c.tenants)) or 'none'}.")
    if c.stuck == 0:
        return TaskResult(False, f"no goroutine is stuck in {STUCK}: there is nothing to attribute (the task is to "
                                 "label the goroutines, not to fix the leak; lab.reset_task starts over)", details)
    right = c.by_route.get(ROUTE, 0)
    share = right / c.stuck
    if share >= 0.9 and len(c.tenants) >= 2:
        return TaskResult(True, f"{right} of {c.stuck} goroutines stuck in {STUCK} ({share:.0%}) carry route={ROUTE}, "
                                f"from {len(c.tenants)} tenants: the profile names the requests that leave them", details)
    return TaskResult(False, f"{c.stuck} goroutines stuck in {STUCK}: {right} ({share:.0%}) carry route={ROUTE}, "
                             f"{c.unlabelled} carry no label at all, {len(c.tenants)} tenants named", details)


def source(profile: Path, function: str, *flags: str, base: Path | None = None, height: int = 380) -> None:
    """The web UI's source view of one function (its name as pprof prints it), shown here."""
    regex = "^" + re.escape(function) + "$"
    show(profile, "ui/source?f=" + urllib.parse.quote(regex), *flags, base=base, height=height,
         caption=f"go tool pprof -http=127.0.0.1:PORT {' '.join(flags)}{' -diff_base=' + base.name if base else ''} "
                 f"{profile.name}  →  source view of {function}")


def print_text(profile: Path, *flags: str, base: Path | None = None) -> None:
    """Print `go tool pprof FLAGS [-diff_base] profile` (the command first, then its output)."""
    print(f"$ go tool pprof {' '.join(flags)}{' -diff_base=' + base.name if base else ''} {profile.name}")
    print(text(profile, *flags, base=base))


def commands(runs: list[Run], keep: str) -> str:
    """The commands that serve this run's profiles yourself, on 127.0.0.1 only."""
    p = {r.label: profiles(r) for r in runs}
    rel = lambda f: f"{keep}/{f.parent.name}/{f.name}"  # noqa: E731
    leaky, fixed = p.get("leaky", {}), p.get("fixed", {})
    out = []
    if leaky.get("heap"):
        h = leaky["heap"]
        out.append(f"go tool pprof -http=127.0.0.1:8080 -sample_index=inuse_space -diff_base={rel(h[0])} {rel(h[-1])}")
    if leaky.get("heap") and fixed.get("heap"):
        out.append(f"go tool pprof -http=127.0.0.1:8081 -sample_index=inuse_space -diff_base={rel(fixed['heap'][-1])} "
                   f"{rel(leaky['heap'][-1])}")
    if leaky.get("goroutine"):
        out.append(f"go tool pprof -http=127.0.0.1:8082 -tagroot=route {rel(leaky['goroutine'][-1])}")
    return "\n".join(out)

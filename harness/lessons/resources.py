"""Lab 24 (leaks that are not memory): what the driver of go_samples/resource_leaks reports per
case (HTTP calls and the upstream's accept errors, helper runs, database lookups and the pool's
DB.Stats()), the open files and child processes the probe counted, and linters (bodyclose,
sqlclosecheck, staticcheck) installed from the Go module proxy into build/tools and run on the
lesson's files, their findings shown next to the source."""

from __future__ import annotations

import hashlib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import LeakLabError
from ..measure import Run
from ..samples import samples_dir, scenario_dir
from ..toolchain import cache_root, find_go
from ..notebook import show_html as _html, show_markdown as _md

SCENARIO = "resource_leaks"
TOOLS_DIR = Path(__file__).resolve().parent.parent.parent / "build" / "tools"
# Pinned: the findings the lab shows are these versions' (installed with GOBIN=build/tools).
TOOLS = {
    "bodyclose": "github.com/timakin/bodyclose@v0.0.0-20260723120731-857993a2939c",
    "sqlclosecheck": "github.com/ryanrolds/sqlclosecheck@v0.6.0",
    "staticcheck": "honnef.co/go/tools/cmd/staticcheck@v0.8.2",
}
WHAT = {"bodyclose": "an HTTP response body never closed in the function that got it",
        "sqlclosecheck": "sql.Rows and sql.Stmt not closed, or closed without defer",
        "staticcheck": "the default checks (bugs, simplifications, style)"}


# --- what the driver printed ------------------------------------------------------------------

_CONNS = re.compile(r"^(\w+) conns: fetched (\d+), ok (\d+), failed (\d+)(?:; first error: (.*?))?; upstream accept errors (\d+)"
                    r"(?: \(first: (.*)\))?$", re.M)
_EXEC = re.compile(r"^(\w+) exec: ran (\d+), ok (\d+), failed (\d+)(?:; first error: (.*))?$", re.M)
_DB = re.compile(r"^(\w+) db: requests (\d+), answered (\d+), waiting (-?\d+); pool: open (\d+), in use (\d+), idle (\d+), "
                 r"waited (\d+) times \((.*)\)$", re.M)


def results(run: Run) -> dict[str, dict]:
    """Per case the driver ran, its numbers (see main.go's last lines)."""
    out: dict[str, dict] = {}
    text = run.stdout_tail
    if m := _CONNS.search(text):
        out["conns"] = {"fetched": int(m[2]), "ok": int(m[3]), "failed": int(m[4]), "first_error": _plain(m[5] or ""),
                        "accept_errors": int(m[6]), "first_accept_error": _plain(m[7] or "")}
    if m := _EXEC.search(text):
        out["exec"] = {"ran": int(m[2]), "ok": int(m[3]), "failed": int(m[4]), "first_error": _plain(m[5] or "")}
    if m := _DB.search(text):
        out["db"] = {"requests": int(m[2]), "answered": int(m[3]), "waiting": int(m[4]), "open": int(m[5]),
                     "in_use": int(m[6]), "idle": int(m[7]), "wait_count": int(m[8]), "wait_duration": m[9]}
    return out


def _plain(msg: str) -> str:
    """An error message without the run's port (it changes every run)."""
    return re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", msg)


def at_end(run: Run, key: str) -> int | None:
    """The last periodic sample's count of open files ("fds") or child processes ("children")."""
    periodic = [s for s in run.samples if not s.get("final") and key in s]
    return periodic[-1][key] if periodic else None


def at_start(run: Run, key: str) -> int | None:
    first = [s for s in run.samples if key in s]
    return first[0][key] if first else None


def table(runs: list[Run]) -> str:
    """Markdown: per run, the counts the probe sampled at the start and the end, and what each
    case reported."""
    rows = ["| run | open files (start → end) | child processes (end) | goroutines (end) | HTTP calls | helper runs | "
            "lookups answered / waiting | pool in use / waits |", "|---|---|---:|---:|---|---|---|---|"]
    for r in runs:
        res = results(r)
        c, e, d = res.get("conns"), res.get("exec"), res.get("db")
        end = [s for s in r.samples if not s.get("final")]
        rows.append(
            f"| {r.label} | {at_start(r, 'fds')} → {at_end(r, 'fds')} | {at_end(r, 'children')} | "
            f"{end[-1]['goroutines'] if end else '?'} | "
            + (f"{c['ok']} ok, {c['failed']} failed; upstream accept errors {c['accept_errors']}" if c else "—") + " | "
            + (f"{e['ok']} ok, {e['failed']} failed" if e else "—") + " | "
            + (f"{d['answered']} / {d['waiting']}" if d else "—") + " | "
            + (f"{d['in_use']} of {d['open']} / {d['wait_count']}" if d else "—") + " |")
    return "\n".join(rows)


def show_table(runs: list[Run]) -> None:
    _md(table(runs))


def errors(run: Run) -> str:
    """The first errors the service saw, as lines (empty if none)."""
    c = results(run).get("conns", {})
    out = []
    if c.get("first_error"):
        out.append(f"{run.label}: {c['failed']} of {c['fetched']} calls failed; the first: {c['first_error']}")
    if c.get("first_accept_error"):
        out.append(f"{run.label}: the upstream server logged {c['accept_errors']} accept errors; the first: "
                   f"{c['first_accept_error']}")
    if c and not out:
        out.append(f"{run.label}: {c['fetched']} calls, no error")
    return "\n".join(out)


# --- linters ---------------------------------------------------------------------------------

class ToolsUnavailable(LeakLabError):
    """A linter is not installed and cannot be installed here (one line: why)."""


def tool_path(name: str) -> Path:
    return TOOLS_DIR / name


def ensure_tools(install: bool = True) -> dict[str, Path]:
    """The linters' binaries in build/tools, installed there from the Go module proxy
    (`GOBIN=build/tools go install PKG@VERSION`) when missing; ToolsUnavailable when that fails
    (offline, no proxy)."""
    go = find_go()
    out = {}
    for name, pkg in TOOLS.items():
        path = tool_path(name)
        if not path.exists():
            if not install:
                raise ToolsUnavailable(f"{name} is not installed in build/tools")
            TOOLS_DIR.mkdir(parents=True, exist_ok=True)
            res = go.run("install", pkg, cwd=TOOLS_DIR, timeout=900, extra_env={"GOBIN": str(TOOLS_DIR), "GOFLAGS": ""})
            if res.returncode != 0 or not path.exists():
                last = (res.stderr or res.stdout).strip().splitlines()
                raise ToolsUnavailable(f"could not install {name} from the Go module proxy"
                                       + (f": {last[-1][:200]}" if last else ""))
        out[name] = path
    return out


@dataclass
class Finding:
    tool: str
    file: str       # relative to the package
    line: int
    col: int
    message: str


_FINDING = re.compile(r"^(.+?\.go):(\d+):(\d+): (.*)$")


def _lint_key(name: str, tool: Path, go, pkg_dir: Path) -> str:
    """What a linter's findings on a package depend on: the linter's binary, the Go version, and
    the package's sources with the module's go.mod/go.sum (the package imports nothing else of the
    module). The same key gives the same findings, as go vet's cache assumes for its analyzers."""
    h = hashlib.sha256()
    st = tool.stat()
    h.update(f"{name}\0{TOOLS.get(name, '')}\0{st.st_size}\0{st.st_mtime_ns}\0{go.version}\0".encode())
    root = samples_dir().resolve()
    for f in [*sorted(pkg_dir.rglob("*.go")), root / "go.mod", root / "go.sum"]:
        if f.is_file() and ".ipynb_checkpoints" not in f.parts:
            h.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def _run_linter(name: str, path: Path, package: str, go, env: dict[str, str]) -> tuple[int, str]:
    """(exit status, output) of one linter on go_samples/<package>, from the lint cache when the
    linter, Go and the package's files are unchanged since it last ran (each linter loads and
    type-checks the package and its imports from source: seconds and over a GB each, every time)."""
    import json
    import subprocess
    cache = cache_root() / "lint" / f"{name}-{_lint_key(name, path, go, scenario_dir(package).resolve())}.json"
    try:
        hit = json.loads(cache.read_text())
        return hit["returncode"], hit["output"]
    except (OSError, ValueError, KeyError):
        pass
    res = subprocess.run([str(path), f"./{package}/"], cwd=samples_dir(), env=env, capture_output=True,
                         text=True, timeout=900)
    output = res.stdout + res.stderr
    if res.returncode in (0, 1, 3):  # findings or none; a failing tool is not remembered
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"returncode": res.returncode, "output": output}))
        tmp.replace(cache)
    return res.returncode, output


def lint(package: str = SCENARIO, tools: dict[str, Path] | None = None) -> list[Finding]:
    """Run each linter on go_samples/<package> and collect its findings (file relative to the
    package). A linter exits non-zero when it finds something; output that is not a finding is an
    error of the tool and raises. Unchanged files are not linted again (`_run_linter`)."""
    tools = tools or ensure_tools()
    go = find_go()
    pkg_dir = scenario_dir(package).resolve()
    env = go.env({"PATH": f"{Path(go.path).parent}{os.pathsep}{os.environ.get('PATH', '')}"})
    out = []
    for name, path in tools.items():
        returncode, output = _run_linter(name, path, package, go, env)
        for ln in output.splitlines():
            m = _FINDING.match(ln.strip())
            if m:
                f = Path(m[1])
                f = f if f.is_absolute() else (samples_dir() / f)
                try:
                    rel = str(f.resolve().relative_to(pkg_dir))
                except ValueError:
                    rel = f.name
                out.append(Finding(name, rel, int(m[2]), int(m[3]), m[4]))
            elif ln.strip() and returncode not in (0, 1, 3):
                raise LeakLabError(f"{name} failed: {ln.strip()[:200]}")
    return out


def annotated(package: str, file: str, findings: list[Finding]) -> str:
    """HTML: the file with line numbers, each line a linter flagged highlighted and the finding
    written under it."""
    mine = [f for f in findings if f.file == file]
    by_line: dict[int, list[Finding]] = {}
    for f in mine:
        by_line.setdefault(f.line, []).append(f)
    rows = []
    for i, ln in enumerate((scenario_dir(package) / file).read_text().splitlines(), 1):
        style = "background:#fff3cd" if i in by_line else ""
        rows.append(f'<div style="{style}"><span style="color:#999">{i:3d}  </span>{html.escape(ln.expandtabs(4)) or "&nbsp;"}</div>')
        for f in by_line.get(i, []):
            rows.append(f'<div style="color:#b03a2e;font-weight:bold">{" " * (5 + f.col - 1)}^ {f.tool}: '
                        f'{html.escape(f.message)}</div>')
    head = (f"<p><b><code>go_samples/{package}/{file}</code></b>: "
            + (", ".join(f"{t} {sum(1 for f in mine if f.tool == t)}" for t in TOOLS) + " finding(s)</p>"))
    return head + f'<pre style="white-space:pre;overflow-x:auto;line-height:1.35;padding:0.5em">{"".join(rows)}</pre>'


def summary(findings: list[Finding], files: tuple[str, ...]) -> str:
    """Markdown: findings per linter and file."""
    rows = ["| linter | looks for | " + " | ".join(f"`{f}`" for f in files) + " |",
            "|---|---|" + "---:|" * len(files)]
    for t in TOOLS:
        rows.append(f"| {t} | {WHAT[t]} | " + " | ".join(str(sum(1 for f in findings if f.tool == t and f.file == x))
                                                       for x in files) + " |")
    return "\n".join(rows)


def show_lint(package: str = SCENARIO, files: tuple[str, ...] = ("leaky.go", "exercise.go")) -> list[Finding]:
    """Run the linters on the package; show the count table, then each file with its findings."""
    findings = lint(package)
    _md(summary(findings, files))
    for f in files:
        _html(annotated(package, f, findings))
    return findings


def one_tool(name: str, package: str) -> str:
    """One linter's findings on another package, one line each ("no findings" if none)."""
    found = lint(package, {name: ensure_tools()[name]})
    return "\n".join(f"{name} on go_samples/{package}: {f.file}:{f.line}:{f.col}: {f.message}" for f in found) \
        or f"{name} on go_samples/{package}: no findings"


def fds_figure(runs: list[Run], limit: int | None = None, title: str | None = None):
    """One panel per run: open file descriptors and goroutines over time, with the limit."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ..plot import color_for
    fig, axes = plt.subplots(1, len(runs), figsize=(5.4 * len(runs), 3.2), sharey=True, squeeze=False,
                             layout="constrained")
    for i, (ax, r) in enumerate(zip(axes[0], runs)):
        c = color_for(r.label, i)
        s = [x for x in r.samples if "fds" in x and not x.get("final")]
        ax.plot([x["t"] for x in s], [x["fds"] for x in s], color=c, lw=2, label="open files")
        ax.plot([x["t"] for x in s], [x["goroutines"] for x in s], color=c, lw=1, ls="--", label="goroutines")
        if limit:
            ax.axhline(limit, color="#7d3c98", ls="-.", lw=1, label=f"RLIMIT_NOFILE = {limit}")
        ax.set_title(r.label, loc="left", fontweight="bold", color=c)
        ax.set_xlabel("time since start (s)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    top = max((x.get("fds", 0) for r in runs for x in r.samples), default=0)
    top = max(top, max((x["goroutines"] for r in runs for x in r.samples), default=0), limit or 0)
    axes[0][0].set_ylim(0, top * 1.35 + 1)
    axes[0][0].legend(loc="lower right", fontsize=8, framealpha=0.9)
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig


def show_fds(runs: list[Run], limit: int | None = None, title: str | None = None) -> None:
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display
    fig = fds_figure(runs, limit, title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png"))


def saturation(run: Run, limit: int) -> str:
    """When the open files first came within 8 of the limit, where they stayed, and the verdict."""
    s = [x for x in run.samples if "fds" in x and not x.get("final")]
    near = next((x["t"] for x in s if x["fds"] >= limit - 8), None)
    if near is None:
        return f"{run.label}: open files peaked at {max((x['fds'] for x in s), default=0)}, below the limit of {limit}; verdict: {run.verdict.verdict}"
    after = [x["fds"] for x in s if x["t"] >= near]
    return (f"{run.label}: open files reached {max(after)} of the {limit} allowed at t = {near:.2f} s and stayed between "
            f"{min(after)} and {max(after)} for the remaining {s[-1]['t'] - near:.1f} s; the verdict, which looks for "
            f"growth: {run.verdict.verdict}")

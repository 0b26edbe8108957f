"""Lab 15 (heap profiles): snapshots of a run, `go tool pprof -diff_base` read into tables and
text, allocation volume vs live growth, the endpoint's profiles next to the probe's, and the task:
tell the leak from a cache that grows and then stops (tasks/heap_catalog)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..collect import pprof_top
from ..measure import Run, check as _check
from ..plot import COLORS
from ..samples import samples_dir
from ..tasks import TaskResult, task
from ..toolchain import Go, find_go
from ..notebook import show_figure as _figure, show_markdown as _md

MB = 1e6


def _pre(text: str) -> None:
    from IPython.display import HTML, display
    display(HTML(f'<pre style="white-space:pre;overflow-x:auto">{html.escape(text)}</pre>'))


def bare(function: str) -> str:
    """A pprof function name without its " (inline)" mark."""
    return function.replace(" (inline)", "").strip()


def _ms(path: Path) -> int:
    return int(re.search(r"-(\d+)", path.name)[1])


def snapshots(run: Run, pattern: str = "heap-*.pb.gz") -> list[Path]:
    """A run's kept snapshots of one kind (`heap-*.pb.gz` from the probe, `http-*-heap` from the
    program's endpoint), oldest first; the end-of-run `heap.pb.gz` is left out."""
    if run.artifacts is None:
        raise ValueError(f"{run.label}: no kept files; run it with keep=FOLDER")
    return sorted((p for p in run.artifacts.glob(pattern) if p.name != "heap.pb.gz"), key=_ms)


def growth(new: Path, base: Path, index: str = "inuse_space", go: Go | None = None) -> list[dict]:
    """`pprof -top -diff_base=base new` rows whose own bytes changed (flat != 0), biggest first."""
    return [r for r in pprof_top(go or find_go(), new, index, diff_base=base, nodecount=12) if r["flat"]]


def by_site(rows: list[dict]) -> dict[str, float]:
    """Rows summed per function (inline or not)."""
    out: dict[str, float] = {}
    for r in rows:
        out[bare(r["function"])] = out.get(bare(r["function"]), 0.0) + r["flat"]
    return out


def live_at(run: Run, t: float) -> float:
    """The live heap runtime/metrics reported just after time t (the snapshot's own GC)."""
    return next((s["heap_live"] for s in run.samples if s["t"] >= t + 0.06), run.samples[-1]["heap_live"])


def live_growth(run: Run, pattern: str = "heap-*.pb.gz") -> float:
    """What runtime/metrics measured between the first two snapshots: live heap after each one's GC."""
    a, b = snapshots(run, pattern)[:2]
    return live_at(run, _ms(b) / 1000) - live_at(run, _ms(a) / 1000)


def kept_files(runs: list[Run]) -> str:
    """Per run: the address its endpoint printed and the profile files kept."""
    out = []
    for r in runs:
        m = re.search(r"http://127\.0\.0\.1:\d+\S*", r.stdout_tail)
        out.append(f"{r.label}: served at {m[0] if m else '(no address printed)'}; kept "
                   + ", ".join(sorted(p.name for p in r.artifacts.glob("*heap*"))))
    return "\n".join(out)


def diff_tables(runs: list[Run]) -> str:
    """Markdown: per run, the sites whose live bytes grew between its two probe snapshots, and
    what runtime/metrics measured over the same window; then what the diffs say, in numbers."""
    parts, said = [], []
    for r in runs:
        old, new = snapshots(r)[:2]
        rows = growth(new, old)
        lines = [f"| {x['flat'] / MB:+.2f} MB | `{x['function']}` |" for x in rows] or ["| 0 | no site grew |"]
        parts.append(f"**{r.label}**: live heap grew {live_growth(r) / MB:+.2f} MB between the snapshots "
                     f"(runtime/metrics)\n\n| growth (inuse_space) | allocation site |\n|---:|---|\n" + "\n".join(lines))
        total = sum(x["flat"] for x in rows)
        if rows and total > 0:
            top = rows[0]
            said.append(f"{r.label}: the top row, `{bare(top['function'])}`, is {top['flat'] / total:.0%} of the "
                        f"{total / MB:+.2f} MB pprof found ({len(rows)} row{'s' * (len(rows) != 1)})")
        else:
            said.append(f"{r.label}: {len(rows)} row{'s' * (len(rows) != 1)}, {total / MB:+.2f} MB in all")
    return "\n\n".join(parts) + "\n\n**What the diffs say:** " + "; ".join(said) + "."


def _header(line: str) -> bool:
    """pprof's header lines, and the filter that keeps the harness's probe out of the profile."""
    return line.startswith(("File:", "Build ID", "Type:", "Time:", "Duration:", "Showing nodes", "Active filters:")) \
        or "leaklab" in line


def show_diffs(runs: list[Run]) -> None:
    """Per run, the growth table of its two probe snapshots, then what the diffs say."""
    _md(diff_tables(runs))


def pprof_text(mode: str, function: str, new: Path, base: Path | None = None,
               index: str = "inuse_space", go: Go | None = None) -> str:
    """The text of `go tool pprof -list|-peek FUNCTION [-diff_base=base] new` without the header
    lines (file, build ID, type, time) and without source comment lines."""
    if mode not in ("list", "peek"):
        raise ValueError("mode is 'list' or 'peek'")
    go = go or find_go()
    args = [f"-{mode}", f"^{re.escape(function)}$", f"-sample_index={index}",
            "-ignore=leaklabProbeState|leaklabNewProbe"]
    if base:
        args.append(f"-diff_base={base}")
    res = go.tool("pprof", *args, str(new), timeout=120)
    if res.returncode != 0:
        return (res.stderr or res.stdout).strip()
    keep = []
    for ln in res.stdout.splitlines():
        if not ln.strip() or _header(ln):
            continue
        if re.search(r"\d+:\s*//", ln):  # a comment line of the source
            continue
        keep.append(ln)
    return _relative("\n".join(keep), go)


def _relative(text: str, go: Go) -> str:
    """Paths as a learner finds them in the repository (go_samples/...) or in Go ($GOROOT/...)."""
    from ..measure import goroot
    text = text.replace(str(samples_dir().resolve()) + "/", "go_samples/").replace(str(samples_dir()) + "/", "go_samples/")
    root = goroot(go)
    return text.replace(root.rstrip("/") + "/", "$GOROOT/") if root else text


def show_text(mode: str, function: str, run: Run, pattern: str = "heap-*.pb.gz") -> None:
    """`-list` or `-peek` of `function` over the run's first two snapshots, as text."""
    old, new = snapshots(run, pattern)[:2]
    _pre(pprof_text(mode, function, new, old))


def alloc_vs_inuse(run: Run, first: int = 4) -> tuple[str, str]:
    """Markdown: the sites that allocated the most between the two snapshots (alloc_space) next to
    what of it is still live (inuse_space); and one line comparing render and newSession."""
    old, new = snapshots(run)[:2]
    inuse = by_site(growth(new, old))
    alloc = growth(new, old, "alloc_space")[:first]
    table = ("| allocated in the window (alloc_space) | site | still live (inuse_space) |\n|---:|---|---:|\n"
             + "\n".join(f"| {a['flat'] / MB:.1f} MB | `{a['function']}` | {inuse.get(bare(a['function']), 0) / MB:+.2f} MB |"
                         for a in alloc))
    a = by_site(alloc)
    biggest = max(a, key=a.get) if a else "?"
    line = (f"biggest allocator in the window: {biggest} ({a.get(biggest, 0) / MB:.1f} MB, "
            f"{a.get(biggest, 0) / max(a.get('main.newSession', 0), 1):.1f}× newSession); still live at the end "
            f"of it: {biggest} {inuse.get(biggest, 0) / MB:+.2f} MB, newSession {inuse.get('main.newSession', 0) / MB:+.2f} MB")
    return table, line


def show_alloc_vs_inuse(run: Run) -> None:
    table, line = alloc_vs_inuse(run)
    _md(table)
    print(line)


def endpoint_figure(runs: list[Run], t: tuple[float, float]):
    """Per run: growth by site from the probe's snapshots and from the endpoint's, with the live
    heap growth runtime/metrics measured as a line."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import EngFormatter
    fig, axes = plt.subplots(1, len(runs), figsize=(5.6 * len(runs), 3.6), sharex=True, squeeze=False,
                             layout="constrained")
    for ax, r in zip(axes[0], runs):
        c = COLORS.get(r.label, "#2471a3")
        sources = {"heap_at (probe snapshot)": by_site(growth(*reversed(snapshots(r)[:2]))),
                   "/debug/pprof/heap?gc=1": by_site(growth(*reversed(snapshots(r, "http-*-heap")[:2])))}
        names = sorted({n for rows in sources.values() for n in rows})[:5]
        for i, (src, rows) in enumerate(sources.items() if names else []):
            ax.barh([j + 0.2 - 0.4 * i for j in range(len(names))], [rows.get(n, 0) for n in names], 0.38,
                    color=c, alpha=1 - 0.45 * i, label=src)
        ax.set_yticks(range(len(names)), names)
        if not names:
            ax.text(0.5, 0.5, "no allocation site grew", transform=ax.transAxes, ha="center", color=c, fontsize=11)
            ax.set_yticks([])
        ax.axvline(live_growth(r), color="k", ls=":", lw=1.2, label="live heap growth (runtime/metrics)")
        ax.xaxis.set_major_formatter(EngFormatter(unit="B"))
        ax.set_title(r.label, color=c, loc="left", fontweight="bold")
        ax.set_title(r.verdict.verdict.upper(), loc="right", fontweight="bold",
                     color=COLORS["leaky"] if r.verdict.leak else COLORS["fixed"])
        ax.set_xlabel(f"growth of live bytes between t={t[0]:g} s and t={t[1]:g} s")
        ax.grid(alpha=0.3, axis="x")
        ax.set_xlim(left=min(0, ax.get_xlim()[0]))
    handles = {}
    for ax in axes[0]:
        for h, lb in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lb, h)
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle("pprof -diff_base by allocation site: file snapshot and HTTP endpoint", fontweight="bold")
    return fig


def endpoint_summary(runs: list[Run]) -> str:
    """Per run: total growth by the two kinds of snapshot, their top sites, and runtime/metrics."""
    out = []
    for r in runs:
        a = by_site(growth(*reversed(snapshots(r)[:2])))
        b = by_site(growth(*reversed(snapshots(r, "http-*-heap")[:2])))
        top = lambda d: max(d, key=d.get) if d and max(d.values()) > 0 else "no site grew"  # noqa: E731
        out.append(f"{r.label}: growth by pprof diff: probe snapshots {sum(a.values()) / MB:+.2f} MB (top: {top(a)}), "
                   f"HTTP snapshots {sum(b.values()) / MB:+.2f} MB (top: {top(b)}); live heap growth measured by "
                   f"runtime/metrics {live_growth(r) / MB:+.2f} MB")
    return "\n".join(out)


def show_endpoint(runs: list[Run], t: tuple[float, float]) -> None:
    _figure(endpoint_figure(runs, t))
    print(endpoint_summary(runs))


# --- the task: a leak and a cache that fills up ------------------------------------------------

PACKAGE = "tasks/heap_catalog"
LEAK_SITE = "main.newVisit"      # every visit is kept: grows in every pair of snapshots
CACHE_SITE = "main.loadImage"    # one image per product: grows until the catalog is cached
RATE = 200                       # requests per second
FRACTIONS = (0.2, 0.5, 0.9)      # when the three snapshots are taken, as fractions of the run
FILLED = 0.4                     # the image cache is full at this fraction of the run


@dataclass
class Catalog:
    """A run of the catalog service with three heap snapshots."""

    run: Run
    times: list[float]           # when the snapshots were taken (s)
    files: list[Path]

    def diff(self, i: int, j: int) -> dict[str, float]:
        """Growth of live bytes by site between snapshot i and snapshot j (pprof -diff_base)."""
        return by_site(growth(self.files[j], self.files[i]))


def catalog(duration: float, keep: str | Path) -> Catalog:
    """Run the catalog service for `duration` s with heap snapshots at 20 %, 50 % and 90 % of it;
    its catalog is sized so that every product's image is cached at 40 %."""
    times = [round(duration * f, 2) for f in FRACTIONS]
    products = max(1, int(RATE * FILLED * duration))
    run = _check(samples_dir() / PACKAGE, args=["-duration", f"{duration:g}s", "-rate", str(RATE),
                                                "-products", str(products)],
                 duration=duration + 8, label="catalog", keep=Path(keep) / "catalog", heap_at=times)
    files = snapshots(run)
    if len(files) != 3:
        raise RuntimeError(f"the catalog run kept {len(files)} heap snapshots, not 3: {run.message or run.exit}")
    return Catalog(run, [_ms(f) / 1000 for f in files], files)


def diff_top(cat: Catalog, i: int, j: int, nodecount: int = 8) -> None:
    """Print `go tool pprof -top -sample_index=inuse_space -diff_base=<snapshot i> <snapshot j>`."""
    go = find_go()
    res = go.tool("pprof", "-top", f"-nodecount={nodecount}", "-sample_index=inuse_space",
                  "-ignore=leaklabProbeState|leaklabNewProbe", f"-diff_base={cat.files[i]}", str(cat.files[j]),
                  timeout=120)
    text = "\n".join(ln for ln in res.stdout.splitlines() if not _header(ln) or ln.startswith("Showing nodes"))
    print(f"$ go tool pprof -top -sample_index=inuse_space -diff_base={cat.files[i].name} {cat.files[j].name}"
          f"    # t={cat.times[i]:g} s -> t={cat.times[j]:g} s")
    print(_relative(text.strip() or res.stderr.strip(), go))


def list_site(cat: Catalog, function: str, i: int, j: int) -> None:
    """Print `go tool pprof -list FUNCTION -diff_base=<snapshot i> <snapshot j>`: the lines that allocated."""
    print(pprof_text("list", function, cat.files[j], cat.files[i]))


def _site(answer) -> str:
    s = bare(str(answer or "")).strip().strip("`")
    if s and "." not in s:
        s = "main." + s
    return s


def _grew(cat: Catalog, site: str) -> tuple[float, float]:
    return cat.diff(0, 1).get(site, 0.0), cat.diff(1, 2).get(site, 0.0)


@task("heap_catalog", package=PACKAGE, answer=True)
def check_catalog(answer, snapshots: Catalog | None = None, duration: float = 3.0) -> TaskResult:
    """The learner names the allocation site that leaks; the check measures how that site (and the
    others) grew in each pair of snapshots, and compares the name with the site that leaks."""
    import tempfile
    if snapshots is None:
        with tempfile.TemporaryDirectory(prefix="leaklab-catalog-") as tmp:
            cat = catalog(duration, tmp)
            return _verdict(answer, cat)
    return _verdict(answer, snapshots)


def _verdict(answer, cat: Catalog) -> TaskResult:
    first, second = cat.diff(0, 1), cat.diff(1, 2)
    t = cat.times
    sites = sorted(set(first) | set(second), key=lambda s: -(first.get(s, 0) + second.get(s, 0)))
    rows = ["| allocation site | grew t=%g→%g s | grew t=%g→%g s |" % (t[0], t[1], t[1], t[2]), "|---|---:|---:|"]
    rows += [f"| `{s}` | {first.get(s, 0) / MB:+.2f} MB | {second.get(s, 0) / MB:+.2f} MB |" for s in sites]
    details = "What the check measured (pprof -diff_base, inuse_space):\n\n" + "\n".join(rows)
    site = _site(answer)
    if not site:
        grew = ", ".join(f"{s} {first[s] / MB:+.1f} MB" for s in sorted(first, key=lambda s: -first[s])[:3]) or "none"
        return TaskResult(False, f"no site named yet; between t={t[0]:g} s and t={t[1]:g} s these grew: {grew}", "")
    a, b = first.get(site, 0.0), second.get(site, 0.0)
    growth_text = f"{site}: {a / MB:+.1f} MB (t={t[0]:g}→{t[1]:g} s), then {b / MB:+.1f} MB (t={t[1]:g}→{t[2]:g} s)"
    if site == LEAK_SITE:
        return TaskResult(True, f"{growth_text}: it grows in every pair of snapshots — the leak", details)
    if site == CACHE_SITE:
        return TaskResult(False, f"{growth_text}: it stopped growing — a cache that filled up, not the leak", details)
    if site in sites:
        return TaskResult(False, f"{growth_text}: not the site that keeps growing", details)
    return TaskResult(False, f"{site}: no such allocation site grew in either pair", details)


def solution() -> str:
    """The reference answer as kept in testdata/solution.json."""
    return json.loads((samples_dir() / PACKAGE / "testdata" / "solution.json").read_text())

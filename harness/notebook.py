"""What notebooks call: show code, run with a progress bar, show figures and verdicts, check exercises.

Every function here is a thin layer over the library; nothing here is needed outside Jupyter.
"""

from __future__ import annotations

import difflib
import functools
import html
import os
import platform
import re
import shutil
import sys
from pathlib import Path

from . import exercise as _exercise
from .errors import LeakLabError
from .measure import Run
from .plot import plot_runs
from .samples import run_sample as _run_sample
from .samples import scenario_dir
from .supervise import together as run_together
from .toolchain import find_go

VERDICT_MIME = "application/vnd.goleaklab.verdicts+json"
SKIP_MIME = "application/vnd.goleaklab.skip+json"


def _display(obj, raw: bool = False):
    from IPython.display import display
    display(obj, raw=raw)


def _md(text: str):
    from IPython.display import Markdown
    _display(Markdown(text))


def show_code(scenario: str, filename: str, lines: tuple[int, int] | None = None) -> None:
    """Show a Go file of a sample, highlighted, with its real line numbers in a comment."""
    path = scenario_dir(scenario) / filename
    text = path.read_text()
    if lines:
        all_lines = text.splitlines()
        text = "\n".join(all_lines[lines[0] - 1: lines[1]])
    _md(f"**`go_samples/{scenario}/{filename}`**\n```go\n{text.rstrip()}\n```")


def show_diff(scenario: str, a: str = "leaky.go", b: str = "fixed.go") -> None:
    """The lesson as a diff: what changes between the leaky and the fixed file."""
    d = scenario_dir(scenario)
    diff = difflib.unified_diff((d / a).read_text().splitlines(), (d / b).read_text().splitlines(),
                                a, b, lineterm="", n=2)
    _md(f"**`diff {a} {b}`**\n```diff\n" + "\n".join(diff) + "\n```")


def _progress(duration: float, label: str):
    if os.environ.get("LEAKLAB_NO_PROGRESS"):  # headless runs (papermill, docs) keep outputs clean
        return None, None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, None
    bar = tqdm(total=round(duration, 1), desc=label, unit="s", leave=False,
               bar_format="{desc}: {bar} {n:.1f}/{total:.1f} s {postfix}")

    def tick(elapsed: float, sample: dict | None):
        bar.n = min(round(elapsed, 1), bar.total)
        if sample:
            bar.set_postfix_str(f"{sample.get('goroutines', 0):,} goroutines", refresh=False)
        bar.refresh()
    return bar, tick


def run(scenario: str, variant: str, duration: float, args=None, progress: bool = True, **kw) -> Run:
    """Run one variant with a progress bar (the stop button ends it and cleans up).
    Keywords as for `run_sample`: go="1.22", label=, env=, keep=, ..."""
    bar, tick = _progress(duration, f"{scenario} {variant}") if progress else (None, None)
    try:
        return _run_sample(scenario, variant, duration, args, progress=tick, **kw)
    finally:
        if bar is not None:
            bar.close()


def compare(scenario: str, duration: float, variants=("leaky", "fixed"), args=None,
            together: bool = True, **kw) -> list[Run]:
    """Run the variants side by side (`together=False`: one after the other), each with a
    progress bar; the stop button ends them all and cleans up."""
    return side_by_side(lambda v: run(scenario, v, duration, args, **kw), variants,
                        at_once=None if together else 1)


def side_by_side(fn, items, at_once: int | None = None) -> list:
    """`[fn(x) for x in items]`, with every call running at the same time (each waits on its own
    program): `lab.side_by_side(lambda v: lab.check(path, args=["-variant", v]), ("leaky", "fixed"))`.
    The stop button ends them all."""
    return run_together([functools.partial(fn, x) for x in items], at_once=at_once)


def show(runs: list[Run], title: str | None = None, heap: bool = True, record: str | None = None,
         goroutines: bool = True):
    """The side-by-side figure plus a table of leak sites; records verdicts for the lab's tests.
    `heap=False` / `goroutines=False` leave out a row that has nothing to say."""
    for r in runs:
        if not r.ok:
            _md(f"**{r.label} did not finish normally:** {html.escape(r.message)}")
    _display_figure(plot_runs(runs, title=title, heap=heap, goroutines=goroutines))
    rows = ["| run | verdict | goroutines at end | live heap at end | leak sites (count × entry [wait] at line) |",
            "|---|---|---|---|---|"]
    for r in runs:
        end = r.final or (r.samples[-1] if r.samples else {})
        sites = "<br>".join(f"{s.count:,} × `{s.function}` [{s.wait_reason}] at {s.location}"
                            + ("" if s.proven else " (not proven)") for s in r.sites[:4]) or "none"
        rows.append(f"| {r.label} | **{r.verdict.verdict}** | {end.get('goroutines', '?'):,} | "
                    f"{end.get('heap_live', 0) / 1e6:,.2f} MB | {sites} |")
    _md("\n".join(rows))
    if record:
        record_verdicts(record, runs)


def record_verdicts(name: str, runs: list[Run]) -> None:
    """Leave the verdicts in the notebook's outputs, where the lab's tests read them."""
    data = {"name": name, "runs": [{"label": r.label, "verdict": r.verdict.verdict, "exit": r.exit,
                                    "proven": r.verdict.proven, "headline": r.verdict.headline,
                                    "sites": [s.to_dict() for s in r.sites[:10]]} for r in runs]}
    _display({VERDICT_MIME: data, "text/plain": f"recorded verdicts for {name}: "
              + ", ".join(f"{r.label}={r.verdict.verdict}" for r in runs)}, raw=True)


def recorded(nb) -> list[dict]:
    """The verdict records (see `record_verdicts`, `check_exercise`) in an executed notebook node."""
    return [o["data"][VERDICT_MIME] for c in nb.cells for o in c.get("outputs", [])
            if VERDICT_MIME in o.get("data", {})]


def record_skip(name: str, reason: str) -> None:
    """Say in one line why a part of a lab cannot run here; the lab's tests record it as a skip."""
    print(f"skipped: {reason}")
    _display({SKIP_MIME: {"name": name, "reason": reason}, "text/plain": f"skipped {name}: {reason}"}, raw=True)


def check_exercise(scenario: str, duration: float = 2.0, record: bool = True):
    """Build and run your exercise.go; one line says whether the leak is gone."""
    res = _exercise.check(scenario, duration)
    colour = "#2e8b57" if res.fixed else "#c0392b"
    _display_html(f'<p style="font-size:1.1em;color:{colour}"><b>{html.escape(res.line)}</b></p>')
    if res.run is not None:
        _display_figure(plot_runs([res.run], width=7))
    if res.gotest_passed is False:
        _md(f"`go test -run TestExercise` output (what failed):\n```\n{_test_failures(res.gotest_output)}\n```")
    if record:
        _display({VERDICT_MIME: {"name": f"exercise:{scenario}", "fixed": res.fixed, "line": res.line},
                  "text/plain": f"exercise {scenario}: {'fixed' if res.fixed else 'still leaking'}"}, raw=True)
    return res


_FAILURE_LINE = re.compile(r"_test\.go:\d+:|^\s*--- FAIL|^FAIL|found unexpected goroutines|^panic: |"
                           r"^fatal error: |^\S+\.go:\d+:\d+: |\[build failed\]|^\s*\[recovered")
_GOROUTINE_HEADER = re.compile(r"^\s*\[?Goroutine \d+ (in state .*)$")
_FRAME_FILE = re.compile(r"^\t(\S+\.go:\d+)")
_NOT_USER = ("runtime.", "testing.", "panic(", "created by ")


def _test_failures(output: str, most: int = 20) -> str:
    """The lines of a failed `go test` that say what failed: the test's own messages, compile
    errors, a panic's message with the first frame of the code that panicked, goleak's summary
    and the header of each goroutine it found, not the stack frames under them."""
    lines = output.splitlines()
    picked, same = [], {}  # goleak's goroutines: one line per state and top function, with a count
    after_panic = False
    for i, ln in enumerate(lines):
        if after_panic and (m := _FRAME_FILE.match(ln)) and not lines[i - 1].startswith(_NOT_USER):
            func = re.sub(r"\([^()]*\)$", "", lines[i - 1].strip())
            picked.append(f"        at {func} ({m[1].rsplit('/', 1)[-1]})")
            after_panic = False
        if ln.startswith(("panic: ", "fatal error: ")):
            after_panic = True
        if m := _GOROUTINE_HEADER.match(ln):
            key = m[1].rstrip(":")
            if key not in same:
                same[key] = len(picked)
                picked.append([key, 0])
            picked[same[key]][1] += 1
        elif _FAILURE_LINE.search(ln):
            picked.append(ln)
    picked = [p if isinstance(p, str) else f"        {p[1]} × goroutine{'s' * (p[1] > 1)} {p[0]}"
              for p in picked] or lines[-12:]
    return "\n".join(picked[:most] + ([f"… {len(picked) - most} more lines"] if len(picked) > most else []))


def _display_figure(fig) -> None:
    """Show a figure as the PNG it is drawn into once (the inline backend would draw it again
    to trim its margins, which `plot_runs` already sets), then free it."""
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    plt.close(fig)
    _display(Image(data=buf.getvalue(), format="png"))


def _display_html(text: str):
    from IPython.display import HTML
    _display(HTML(text))


def doctor() -> bool:
    """Check Python, Go, the kernel and optional tools; one line per problem with what to do."""
    ok = True
    lines = []
    py = sys.version_info
    if py < (3, 10):
        ok = False
        lines.append(f"✗ Python {platform.python_version()}: the lab needs 3.10+ — install a newer Python, then `make setup`")
    else:
        lines.append(f"✓ Python {platform.python_version()} ({sys.executable})")
    try:
        go = find_go()
        lines.append(f"✓ Go {go.version.removeprefix('go')} at {go.found or go.path}")
    except LeakLabError as err:
        ok = False
        lines.append(f"✗ {err}")
    in_venv = sys.prefix != sys.base_prefix
    lines.append("✓ kernel runs in the lab's virtual environment" if in_venv else
                 "✗ this kernel is not the lab's .venv — choose the 'Python 3' kernel of the lab (started by `make lab`)")
    ok = ok and in_venv
    bt = shutil.which("bpftrace")
    lines.append(f"✓ bpftrace at {bt} (eBPF lab)" if bt else
                 "• bpftrace not installed: the eBPF lab will skip (on Debian: apt-get install bpftrace, as root)")
    print("\n".join(lines))
    return ok


def hint(scenario: str, n: int) -> None:
    """Show hint n (1, 2, ...) for a scenario's exercise, kept in go_samples/<scenario>/testdata/hints.md."""
    path = scenario_dir(scenario) / "testdata" / "hints.md"
    parts = [p.strip() for p in path.read_text().split("\n---\n") if p.strip()] if path.exists() else []
    if not parts:
        raise LeakLabError(f"{scenario} has no hints")
    n = max(1, min(n, len(parts)))
    _md(f"**Hint {n} of {len(parts)}.** {parts[n - 1]}")


def show_solution(scenario: str) -> None:
    """The solution is the fixed variant; shown only when asked."""
    show_code(scenario, "fixed.go")


def reset_exercise(scenario: str) -> Path:
    return _exercise.reset(scenario)

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
from . import workspace as _workspace
from .errors import LeakLabError
from .measure import Run
from .plot import plot_runs
from .samples import run_sample as _run_sample
from .samples import samples_dir, scenario_dir
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


def show_markdown(text: str) -> None:
    """Markdown in a notebook's output (the lesson modules' way to write prose from a run)."""
    _md(text)


def show_figure(fig) -> None:
    """A figure as the one PNG it is drawn into, then freed (see `_display_figure`)."""
    _display_figure(fig)


def show_html(text: str) -> None:
    """HTML in a notebook's output."""
    _display_html(text)


def show_code(scenario: str, filename: str, lines: tuple[int, int] | None = None) -> None:
    """Show a Go file of a sample, highlighted, with its real line numbers in a comment."""
    path = scenario_dir(scenario) / filename
    text = path.read_text()
    if lines:
        all_lines = text.splitlines()
        text = "\n".join(all_lines[lines[0] - 1: lines[1]])
    _md(f"**`go_samples/{scenario}/{filename}`**\n```go\n{text.rstrip()}\n```")


# The variant names the driver picks by (`type leaky struct{}`, `leakyReports`): two lines that
# differ only in them are the same line of the lesson.
_VARIANT_NAME = re.compile(r"\b(?:leaky|fixed|exercise)(?=[A-Z_]|\b)")


def lesson_diff(a_text: str, b_text: str, context: int = 2) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) rows, kind in "@", " ", "-", "+": lines that differ only
    in the variant's name count as equal, so the rows are the fix and nothing else. Every line
    shown is the file's own text (context lines as the second, the fixed file, has them)."""
    a, b = a_text.splitlines(), b_text.splitlines()
    norm = lambda lines: [_VARIANT_NAME.sub("VARIANT", ln) for ln in lines]  # noqa: E731
    rows = []
    for group in difflib.SequenceMatcher(None, norm(a), norm(b), autojunk=False).get_grouped_opcodes(context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        rows.append(("@", f"@@ -{i1 + 1},{i2 - i1} +{j1 + 1},{j2 - j1} @@"))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                rows += [(" ", ln) for ln in b[b1:b2]]
                continue
            rows += [("-", ln) for ln in a[a1:a2]] + [("+", ln) for ln in b[b1:b2]]
    return rows


_DIFF_STYLE = {"@": "color:#6a737d", " ": "", "-": "background:#ffebe9;color:#82071e",
               "+": "background:#dafbe1;color:#116329"}


def show_diff(scenario: str, a: str = "leaky.go", b: str = "fixed.go") -> None:
    """The fix as a coloured diff: what changes between the leaky and the fixed file (the
    variants' own names left out)."""
    d = scenario_dir(scenario)
    rows = lesson_diff((d / a).read_text(), (d / b).read_text())
    body = "".join(f'<div style="{_DIFF_STYLE[k]}">{html.escape(k if k != "@" else "")}'
                   f'{html.escape(ln.expandtabs(4)) or "&nbsp;"}</div>' for k, ln in rows)
    _display_html(f"<p><b><code>diff {html.escape(a)} {html.escape(b)}</code></b> (lines that differ only in the "
                  "variant's name are left out)</p>"
                  f'<pre style="white-space:pre;overflow-x:auto;line-height:1.35;padding:0.5em">{body}</pre>')


def details(summary: str, markdown: str, open: bool = False) -> None:
    """A collapsed section: `summary` always shown, `markdown` when the reader opens it."""
    _md(f"<details{' open' if open else ''}><summary><b>{html.escape(summary)}</b></summary>\n\n"
        f"{markdown.strip()}\n\n</details>")


class Prediction:
    """What the learner predicted before a run (see `predict` and `reveal`)."""

    def __init__(self, question: str, options: dict[str, float] | list[str] | None):
        self.question, self.widget = question, None
        self.values = dict(options) if isinstance(options, dict) else None  # label -> number
        self.options = list(options) if options else None

    @property
    def value(self):
        return None if self.widget is None else self.widget.value

    def _ipython_display_(self):  # shown once, by `predict`; as a cell's last value, nothing more
        pass

    def _show(self) -> None:
        try:
            import ipywidgets as w
        except ImportError:
            w = None
        if w is None or os.environ.get("LEAKLAB_NO_PROGRESS"):  # headless: the question as text
            opts = "".join(f"\n- {o}" for o in self.options or [])
            _md(f"**Predict:** {self.question}{opts}")
            return
        if self.options:
            self.widget = w.RadioButtons(options=self.options, value=None, layout=w.Layout(width="max-content"))
        else:
            self.widget = w.FloatText(value=None, layout=w.Layout(width="12em"))
        _display(w.VBox([w.HTML(f"<b>Predict:</b> {html.escape(self.question)}"), self.widget]))


def predict(question: str, options: dict[str, float] | list[str] | None = None) -> Prediction:
    """Ask the learner to commit to a prediction before a run: radio buttons for `options` (a list
    of answers, or {answer: number} when `reveal` is to pick the one nearest a measured number),
    a number box without. Pass the result to `reveal` after the run."""
    p = Prediction(question, options)
    p._show()
    return p


def reveal(prediction: Prediction, answer=None, why: str = "", measured: float | None = None) -> None:
    """After the run: the learner's prediction next to what the run says, and the explanation
    collapsed behind "Why?". The run's answer is `answer`, or, for {answer: number} options,
    the answer nearest `measured` (a number of the run)."""
    if answer is None:
        if measured is None or prediction.values is None:
            raise LeakLabError("reveal needs answer=, or measured= with {answer: number} options")
        answer = min(prediction.values, key=lambda o: abs(prediction.values[o] - measured))
    if prediction.options and answer not in prediction.options:
        raise LeakLabError(f"reveal: {answer!r} is not one of the options {prediction.options}")
    got = prediction.value
    fmt = (lambda v: f"{v:,g}") if not prediction.options else str
    if got is None:
        mine = "you made no prediction"
    elif got == answer or (not prediction.options and _close(got, answer)):
        mine = f"you predicted **{fmt(got)}**: right"
    else:
        mine = f"you predicted **{fmt(got)}**"
    shown = fmt(answer) if not prediction.options else answer
    if measured is not None:
        shown += f" (measured: {measured:,.3g})"
    _md(f"**{prediction.question}** The run: **{shown}**; {mine}.")
    if why:
        details("Why?", why)


def _close(got: float, answer: float) -> bool:
    return abs(got - answer) <= 0.25 * max(abs(answer), 1)


def _progress(duration: float, label: str):
    """A progress bar for a run (None headless) and the tick that moves it."""
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


def _finish(bar) -> None:
    """Close a bar so that it goes away: closed short of its total (a run ends before its
    deadline once the program's work is over; the stop button) it would stay, painted red.
    How the run ended is said by what the cell shows next."""
    if bar is not None:
        bar.n = bar.total
        bar.close()


class Stopped(LeakLabError):
    """The learner pressed stop (Ctrl-C): shown as one line, not a traceback."""

    def __init__(self):
        super().__init__("stopped: the program and its files were cleaned up")

    def _render_traceback_(self) -> list[str]:  # IPython prints this instead of a traceback
        return [str(self)]


def _stoppable(fn):
    """A notebook call that the stop button ends with one plain line (every run it started is
    killed and its temp folder removed by the layers below before KeyboardInterrupt reaches here)."""
    @functools.wraps(fn)
    def call(*args, **kw):
        try:
            return fn(*args, **kw)
        except KeyboardInterrupt:
            raise Stopped() from None
    return call


@_stoppable
def run(scenario: str, variant: str, duration: float, args=None, progress: bool = True, **kw) -> Run:
    """Run one variant with a progress bar (the stop button ends it and cleans up).
    `go="1.22"` picks another toolchain; other keywords are `RunOptions` (label=, env=, keep=, ...)."""
    bar, tick = _progress(duration, f"{scenario} {variant}") if progress else (None, None)
    try:
        return _run_sample(scenario, variant, duration, args, progress=tick, **kw)
    finally:
        _finish(bar)


@_stoppable
def compare(scenario: str, duration: float, variants=("leaky", "fixed"), args=None,
            together: bool = True, **kw) -> list[Run]:
    """Run the variants side by side (`together=False`: one after the other), each with a
    progress bar; the stop button ends them all and cleans up."""
    return side_by_side(lambda v: run(scenario, v, duration, args, **kw), variants,
                        at_once=None if together else 1)


@_stoppable
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


_STATE_COLOUR = {"fixed": "#2e8b57", "still leaking": "#c0392b"}


@_stoppable
def check_exercise(scenario: str, duration: float = 2.0, record: bool = True):
    """Build and run your exercise.go, then its go test; one line says whether the leak is gone."""
    bar, tick = _progress(duration, f"{scenario} exercise")
    status = _Status()
    try:
        res = _exercise.check(scenario, duration, on_step=status.say, progress=tick)
    finally:
        _finish(bar)
        status.clear()
    colour = _STATE_COLOUR.get(res.state, "#b9770e")
    _display_html(f'<p style="font-size:1.1em;color:{colour}"><b>{html.escape(res.line)}</b></p>')
    if res.build_messages:
        _pre(f"Go says ({len(res.build_messages)} message{'s' * (len(res.build_messages) > 1)}):",
             "\n".join(res.build_messages[:20]))
    if res.run is not None and res.run.sites:
        _md("Where the exercise's goroutines are stuck (count × entry function [what it waits for] at line):\n"
            + "\n".join(f"- {s.count:,} × `{s.function}` [{s.wait_reason}] at `{s.location}`"
                        + ("" if s.proven else " (still blocked at exit, not proven)") for s in res.run.sites[:8]))
    if res.run is not None:
        _display_figure(plot_runs([res.run], width=7))
    if res.gotest_passed is False:
        _pre("<code>go test -run TestExercise</code> output (what failed):", _test_failures(res.gotest_output))
    _workspace.record_progress(scenario, res.state, res.line)
    if record:
        _display({VERDICT_MIME: {"name": f"exercise:{scenario}", "fixed": res.fixed, "state": res.state,
                                 "line": res.line},
                  "text/plain": f"exercise {scenario}: {res.state}"}, raw=True)
    return res


class _Status:
    """One line that says what a long cell is doing, replaced as it goes, gone at the end."""

    def __init__(self):
        self.handle = None

    def say(self, text: str) -> None:
        if os.environ.get("LEAKLAB_NO_PROGRESS"):
            return
        from IPython.display import HTML, display
        obj = HTML(f"<i>{html.escape(text)}…</i>")
        if self.handle is None:
            self.handle = display(obj, display_id=True)
        else:
            self.handle.update(obj)

    def clear(self) -> None:
        if self.handle is not None:
            from IPython.display import HTML
            self.handle.update(HTML(""))


def _pre(title_html: str, text: str) -> None:
    """A block of tool output: no wrapping inside a line (long lines scroll sideways)."""
    _display_html(f"<p>{title_html}</p><pre style=\"white-space:pre;overflow-x:auto\">{html.escape(text)}</pre>")


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
    """Check Python, Go, the probe, the kernel and optional tools: one line each, a ✗ line says
    what to do. The notebooks' first cell and `python -m harness doctor` both run this."""
    from .build import exit_hook_mismatch
    from .supervise import check_platform
    from .workspace import find
    check_platform()  # native Windows: one line pointing to WSL2 or the dev container
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
        note = exit_hook_mismatch(go)
        lines.append(f"• probe: {note}" if note else "✓ probe: the end state comes from the runtime's exit hook")
    except LeakLabError as err:
        ok = False
        lines.append(f"✗ {err}")
    in_venv = sys.prefix != sys.base_prefix
    lines.append("✓ running in the lab's virtual environment" if in_venv else
                 "✗ this Python is not the lab's .venv — in JupyterLab choose the 'Go Leak Lab' kernel (`make lab` starts it)")
    ok = ok and in_venv
    ws = find(samples_dir())
    if ws is not None:
        lines.append(f"✓ your workspace: {ws} (your exercises live there)")
    bt = shutil.which("bpftrace")
    lines.append(f"✓ bpftrace at {bt} (eBPF lab)" if bt else
                 "• bpftrace not installed: the eBPF lab shows a recorded run instead (on Debian: apt-get install bpftrace, as root)")
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


def show_solution(name: str, file: str = "exercise.go") -> None:
    """A solution, shown only when asked: what it changes in the file as it started, then the
    whole solved file. `name` is a scenario (its exercise.go) or a task's package with `file`."""
    d = scenario_dir(name)
    solution = "solution.go" if file == "exercise.go" else f"solution_{file}"
    if not (d / "testdata" / solution).exists():
        raise LeakLabError(f"{name} has no solution for {file} (testdata/{solution})")
    show_diff(name, f"testdata/{file}", f"testdata/{solution}")
    lang = "go" if file.endswith(".go") else ""
    details("The whole solved file", f"```{lang}\n{(d / 'testdata' / solution).read_text().rstrip()}\n```")


@_stoppable
def check_task(name: str, answer=None, record: bool = True, **kw):
    """Check a lab's hands-on task (a file you edited, or `answer` from a cell): one line, done or not."""
    from . import tasks
    status = _Status()
    status.say(f"checking task {name}")
    try:
        res = tasks.check(name, answer, **kw)
    finally:
        status.clear()
    colour = "#2e8b57" if res.done else "#c0392b"
    _display_html(f'<p style="font-size:1.1em;color:{colour}"><b>{html.escape(res.line)}</b></p>')
    if res.details:
        _md(res.details)
    _workspace.record_progress(f"task:{name}", "done" if res.done else "not done", res.line)
    if record:
        _display({VERDICT_MIME: {"name": f"task:{name}", "done": res.done, "line": res.line},
                  "text/plain": f"task {name}: {'done' if res.done else 'not done yet'}"}, raw=True)
    return res


def reset_task(name: str) -> None:
    """Put the files of a lab's task back as they started."""
    from . import tasks
    for path in tasks.get(name).reset():
        print(f"{path.name} is back as it started. If it is open in the editor, reload it there "
              "(File > Reload File from Disk) before you type.")


def reset_exercise(scenario: str) -> None:
    """Put exercise.go back as it started."""
    path = _exercise.reset(scenario)
    rel = path.relative_to(scenario_dir(scenario).parent.parent) if path.is_absolute() else path
    print(f"{rel} is back as it started. If it is open in the editor, reload it there "
          "(File > Reload File from Disk) before you type: saving the old editor copy would undo the reset.")


# The order labs join a shortened course: the core first (goroutine leaks, context, the proof and
# the tests that keep leaks out), then heap patterns and detection, then internals. A workshop
# cut takes labs in this order while they fit its time.
_CUT_PRIORITY = ["00", "01", "02", "04", "09", "17", "18", "27", "05", "03", "15", "16", "06", "07", "08",
                 "14", "13", "21", "23", "24", "25", "26", "10", "11", "12", "19", "20", "22"]


def course_map(budgets: dict[str, int] | None = None) -> list[dict]:
    """The course as a table: each lab's title, its stated time and the reading time of its prose
    and code (words / 200 per minute), the total, and workshop cuts that fit `budgets` (minutes).
    Everything is read from the notebooks themselves."""
    import json as _json
    budgets = budgets or {"half day (3.5 h)": 210, "full day (6.5 h)": 390}
    rows = []
    for path in sorted((samples_dir().parent / "labs").glob("[0-9][0-9]_*.ipynb")):
        cells = _json.loads(path.read_text())["cells"]
        head = "".join(cells[0]["source"]) if cells else ""
        title = (re.search(r"^#\s+(.+)$", head, re.M) or [None, path.stem])[1]
        stated = re.search(r"\*\*Time:\*\*\D*?(\d+)", head)
        words = sum(len("".join(c["source"]).split()) for c in cells)
        rows.append({"lab": path.stem[:2], "name": path.stem, "title": title,
                     "minutes": int(stated.group(1)) if stated else None, "reading": round(words / 200)})
    total = sum(r["minutes"] or 0 for r in rows)
    lines = ["| lab | title | time (stated) | reading alone |", "|---|---|---|---|"]
    lines += [f"| `{r['name']}` | {r['title']} | {r['minutes'] or '?'} min | {r['reading']} min |" for r in rows]
    out = ["\n".join(lines), f"\n**The whole course:** {total} minutes, about {total / 60:.1f} hours."]
    by_lab = {r["lab"]: r for r in rows}
    order = [n for n in _CUT_PRIORITY if n in by_lab] + [r["lab"] for r in rows if r["lab"] not in _CUT_PRIORITY]
    for name, budget in budgets.items():
        picked, used = [], 0
        for n in order:
            m = by_lab[n]["minutes"] or 0
            if used + m <= budget:
                picked.append(n)
                used += m
        out.append(f"\n**A {name} workshop:** labs {', '.join(sorted(picked))} ({used} minutes).")
    _md("\n".join(out))
    return rows

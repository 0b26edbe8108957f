"""Lab 18, leak checks in tests: run the packages of toolkit/leaktests, read what goleak and
synctest report, and the task (tasks/leak_tests: write the goleak and synctest tests of two
packages; the check runs them on the leaky and on the fixed code)."""

from __future__ import annotations

import functools
import html
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..samples import samples_dir
from ..tasks import TaskResult, task
from ..toolchain import go_for
from ..notebook import show_markdown as _md

DEMO_ENV = {"LEAKLAB_DEMO_FAIL": "1"}   # turns on the tests of toolkit/leaktests that fail on purpose
RESULT = re.compile(r"--- (PASS|FAIL|SKIP): (\S+) \(([\d.]+)s\)")
GOLEAK = re.compile(r"Goroutine \d+ in state ([^,]+), with (\S+) on top")
BUBBLE = re.compile(r"goroutine \d+ \[([^\]]+)\]:\n(\S+)\(")
GOLEAK_SAYS = "found unexpected goroutines"
SYNCTEST_SAYS = "deadlock: main bubble goroutine has exited but blocked goroutines remain"


@dataclass
class GoTest:
    """One `go test -count=1 -v` of a package: what it printed and each test's outcome."""

    package: str
    passed: bool
    output: str
    seconds: float
    outcomes: dict[str, tuple[str, float]] = field(default_factory=dict)  # test -> (PASS|FAIL|SKIP, s)

    def section(self, test: str) -> str:
        """The output of one test: from its RUN line (a parallel test's CONT line) to its result."""
        out = self.output
        start = out.rfind(f"=== CONT  {test}")
        start = start if start >= 0 else out.find(f"=== RUN   {test}\n")
        end = out.find(f"--- FAIL: {test} ", start)
        if end < 0:
            end = out.find(f"--- PASS: {test} ", start)
        return out[max(start, 0): end if end >= 0 else len(out)]

    def blamed(self, test: str | None = None) -> list[tuple[str, str]]:
        """(top function, state) of each goroutine goleak reported, in one test or anywhere."""
        return [(fn, state) for state, fn in GOLEAK.findall(self.section(test) if test else self.output)]


@functools.lru_cache(maxsize=None)
def _goroot() -> str:
    go = go_for(None)
    if go.root:
        return go.root
    res = go.run("env", "GOROOT")
    return res.stdout.strip()


def tidy(text: str) -> str:
    """Tool output without the paths of this machine: go_samples/..., $GOROOT/..., ./... for the
    repository (the docs site is built elsewhere than it is read)."""
    root = Path(__file__).resolve().parent.parent.parent
    for path, short in ((str(samples_dir().resolve()), "go_samples"), (_goroot(), "$GOROOT"), (str(root), ".")):
        if path:
            text = text.replace(path.rstrip("/") + "/", short + "/")
    return text


def outcomes(output: str) -> dict[str, tuple[str, float]]:
    """{test: (PASS|FAIL|SKIP, seconds)} from `go test -v` output."""
    return {name: (word, float(secs)) for word, name, secs in RESULT.findall(output)}


def go_test(package: str, demo: bool = False, run: str | None = None) -> GoTest:
    """`go test -count=1 -v [-run RUN] ./package/` in go_samples; `demo=True` turns on the tests
    that fail on purpose (LEAKLAB_DEMO_FAIL=1)."""
    go = go_for(None)
    t0 = time.monotonic()
    res = go.run("test", "-count=1", "-v", *(["-run", run] if run else []), f"./{package}/", cwd=samples_dir(),
                 timeout=600, extra_env=DEMO_ENV if demo else None)
    out = tidy((res.stdout + res.stderr).strip())
    return GoTest(package, res.returncode == 0, out, time.monotonic() - t0, outcomes(out))


def short(fn: str) -> str:
    """A function without its import path: `leaky.Sum.func1`."""
    return fn.rsplit("/", 1)[-1]


def counted(items: list[str]) -> str:
    """`2 × a, 1 × b`, in order of first appearance."""
    return ", ".join(f"{items.count(x)} × {x}" for x in dict.fromkeys(items)) or "none"


# --- what the notebook shows -----------------------------------------------------------------

def _display(obj) -> None:
    from IPython.display import display
    display(obj)


def side_by_side_html(runs: dict[str, GoTest]) -> str:
    """The raw outputs of the runs in columns, each headed by PASS/FAIL and its wall time."""
    from ..plot import COLORS
    cols = []
    for name, r in runs.items():
        head = (f'<b style="color:{COLORS.get(name, "#333")}">{html.escape(name)}: {"PASS" if r.passed else "FAIL"}</b>'
                f" — <code>go test</code> took {r.seconds:.2f} s")
        body = (f'<pre style="max-height:32em;overflow:auto;font-size:0.75em;white-space:pre-wrap">'
                f"{html.escape(r.output)}</pre>")
        cols.append(f'<td style="vertical-align:top;width:{100 // len(runs)}%;text-align:left">{head}{body}</td>')
    return '<table style="width:100%;table-layout:fixed"><tr>' + "".join(cols) + "</tr></table>"


def show_side_by_side(leaky: GoTest, fixed: GoTest) -> None:
    from IPython.display import HTML
    _display(HTML(side_by_side_html({"leaky": leaky, "fixed": fixed})))


def outcome_table(runs: dict[str, GoTest]) -> str:
    """One row per test, one column per run: its result and its own time (as `go test -v` says)."""
    names = list(dict.fromkeys(n for r in runs.values() for n in r.outcomes))
    rows = ["| test | " + " | ".join(runs) + " |", "|---|" + "---|" * len(runs)]
    for n in names:
        cells = []
        for r in runs.values():
            word, secs = r.outcomes.get(n, ("did not run", None))
            cells.append(f"**{word}**" + (f" in {secs:.2f} s" if secs is not None else ""))
        rows.append(f"| `{n}` | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def show_outcomes(**runs: GoTest) -> None:
    _md(outcome_table(runs))


def findings(leaky: GoTest, fixed: GoTest) -> list[str]:
    """What the first run says, in numbers: the goleak tests' times, failing and passing, what
    TestSumGoleak blamed, and what the failing bubble named."""
    lo, fo = leaky.outcomes, fixed.outcomes
    sum_listed = [short(fn) for fn, _ in leaky.blamed("TestSumGoleak")]
    first_listed = [short(fn) for fn, _ in leaky.blamed("TestFirstGoleak")]
    named = [f"{short(fn)} [{state.split(',')[0]}]" for state, fn in BUBBLE.findall(leaky.output) if "bubble" in state]
    return [
        f"goleak, failing (leaky): TestFirstGoleak {lo['TestFirstGoleak'][1]:.2f} s, TestSumGoleak "
        f"{lo['TestSumGoleak'][1]:.2f} s; passing (fixed): {fo['TestFirstGoleak'][1]:.2f} s and "
        f"{fo['TestSumGoleak'][1]:.2f} s",
        f"TestFirstGoleak lists {len(first_listed)} goroutine(s): {counted(first_listed)}",
        f"TestSumGoleak lists {len(sum_listed)} goroutines: {counted(sum_listed)}",
        f"synctest, failing (leaky): TestSynctest {lo['TestSynctest'][1]:.2f} s of real time; "
        f"the fixed one {fo['TestSynctest'][1]:.2f} s; the failure names {counted(named)}",
    ]


def print_findings(leaky: GoTest, fixed: GoTest) -> None:
    print("\n".join(findings(leaky, fixed)))


def print_verify_test_main(run: GoTest) -> None:
    print("\n".join(verify_test_main(run)))


def print_blamed(run: GoTest, *tests: str) -> None:
    """For each test: the goroutines goleak blamed it for (top function [state])."""
    for t in tests:
        print(f"{t} ({run.outcomes.get(t, ('did not run',))[0]}) blamed: "
              + ("; ".join(f"{short(fn)} [{st}]" for fn, st in run.blamed(t)) or "nothing"))


def verify_test_main(run: GoTest) -> list[str]:
    """A package checked by goleak.VerifyTestMain: its result, every test's, and the report."""
    i = run.output.find("goleak: Errors")
    report = run.output[i:] if i >= 0 else ""
    found = [short(fn) for _, fn in GOLEAK.findall(report)]
    head = [f"package {'PASS' if run.passed else 'FAIL'} in {run.seconds:.2f} s; its tests: "
            + ", ".join(f"{n} {r}" for n, (r, _) in run.outcomes.items()),
            f"goleak.VerifyTestMain found {len(found)} goroutine(s) after the run: {counted(found)}"]
    return head + (report.splitlines()[:8] + ["..."] if report else ["(no goleak report)"])


def whole_folder(pattern: str = "./toolkit/leaktests/...") -> tuple[bool, str]:
    """`go test -count=1 PATTERN` as CI runs it (no demo variable): passed, and its output with
    the time it took."""
    go = go_for(None)
    t0 = time.monotonic()
    res = go.run("test", "-count=1", pattern, cwd=samples_dir(), timeout=600)
    return res.returncode == 0, tidy((res.stdout + res.stderr).strip()) + f"\nexit status {res.returncode} in {time.monotonic() - t0:.1f} s"


# --- the task: write the goleak and synctest tests of two packages ----------------------------

TASK_PKG = "tasks/leak_tests"
TASK_TESTS = {  # test -> (detector's message, the package whose goroutine the report must name)
    "TestHeartbeatGoleak": (GOLEAK_SAYS, "/heartbeat."),
    "TestHeartbeatSynctest": (SYNCTEST_SAYS, "/heartbeat."),
    "TestSaveGoleak": (GOLEAK_SAYS, "/save."),
    "TestSaveSynctest": (SYNCTEST_SAYS, "/save."),
}


@dataclass
class TestOutcome:
    test: str
    leaky: str      # PASS | FAIL | SKIP | did not run
    fixed: str
    caught: bool    # failed on the leaky code with its detector's report naming the package
    why: str        # one phrase when not caught


def _compile(go, folder: Path, out: Path, tags: str | None) -> subprocess.CompletedProcess:
    args = ["test", "-c", "-o", str(out)] + (["-tags", tags] if tags else []) + ["."]
    return go.run(*args, cwd=folder, timeout=300)


def _run_one(binary: Path, folder: Path, test: str, env: dict) -> tuple[str, str]:
    """Run one test of a compiled test binary on its own: (PASS|FAIL|SKIP|did not run, output)."""
    try:
        res = subprocess.run([str(binary), "-test.run", f"^{test}$", "-test.v", "-test.count=1",
                              "-test.timeout=30s"], cwd=folder, env=env, capture_output=True, text=True,
                             timeout=60)
        out = res.stdout + res.stderr
    except subprocess.TimeoutExpired as e:
        return "FAIL", f"(timed out after 60 s) {e.stdout or ''}"
    word = outcomes(out).get(test, ("FAIL" if res.returncode else "did not run",))[0]
    return word, out


def run_task_tests(folder: Path | None = None) -> tuple[list[TestOutcome], list[str]]:
    """Compile the task's tests twice (leaky: `-tags leaky`; fixed: a plain build) and run each
    test alone on each, so that one test's leak is never blamed on another. Returns the outcomes
    and, when a build failed, Go's messages."""
    go = go_for(None)
    folder = folder or samples_dir() / TASK_PKG
    env = go.env()
    results = []
    with tempfile.TemporaryDirectory(prefix="leaklab-task18-") as tmp:
        bins = {}
        for build, tags in (("leaky", "leaky"), ("fixed", None)):
            res = _compile(go, folder, Path(tmp) / f"{build}.test", tags)
            if res.returncode != 0:
                msgs = [ln for ln in (res.stderr + res.stdout).splitlines() if ln.strip() and not ln.startswith("#")]
                return [], msgs or [f"go test -c failed with status {res.returncode}"]
            bins[build] = Path(tmp) / f"{build}.test"
        for test, (says, names) in TASK_TESTS.items():
            lw, lout = _run_one(bins["leaky"], folder, test, env)
            fw, _ = _run_one(bins["fixed"], folder, test, env)
            if lw == "SKIP" or lw == "did not run":
                why = "not written yet" if lw == "SKIP" else "did not run"
            elif lw == "PASS":
                why = "passes on the leaky code"
            elif says not in lout:
                why = f"fails on the leaky code, but not with {'goleak' if says == GOLEAK_SAYS else 'synctest'}'s report"
            elif names not in lout:
                why = f"the report does not name a goroutine of {names.strip('/.')}"
            else:
                why = ""
            results.append(TestOutcome(test, lw, fw, not why, why))
    return results, []


@task("leak_tests", package=TASK_PKG, files=("exercise_test.go",))
def check_leak_tests(**kw) -> TaskResult:
    """Done when each of the four tests fails on the leaky code with its detector's report naming
    the package's goroutine, and passes on the fixed code."""
    results, build_errors = run_task_tests()
    if build_errors:
        return TaskResult(False, f"exercise_test.go does not build: {build_errors[0].strip()}",
                          "Go says:\n```\n" + "\n".join(build_errors[:15]) + "\n```")
    caught = sum(r.caught for r in results)
    passed = sum(r.fixed == "PASS" for r in results)
    done = caught == len(results) and passed == len(results)
    line = (f"{'done' if done else 'not done'}: {caught} of {len(results)} tests catch the leaky code, "
            f"{passed} of {len(results)} pass on the fixed code")
    rows = ["| test | leaky code (`-tags leaky`) | fixed code | |", "|---|---|---|---|"]
    for r in results:
        if not r.caught:
            note = r.why
        elif r.fixed != "PASS":
            note = f"{r.fixed} on the fixed code, want PASS"
        else:
            note = "✓"
        rows.append(f"| `{r.test}` | {r.leaky} | {r.fixed} | {note} |")
    return TaskResult(done, line, "\n".join(rows))

"""Lab 17 (the goroutineleak profile): the runtime's own source of the proof, every case of
toolkit/leakprofile run and tabulated (proven vs suspected), what the compiler says the closures
capture, the tiny-block case and the live endpoint in numbers; and the two tasks on
tasks/leak_snippets and tasks/leak_provable: predict proven or suspected for new snippets, then
make one leak provable."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import BuildError, LeakLabError
from ..gotools import escape_analysis
from ..measure import Run, check as _check, goroot
from ..plot import COLORS
from ..samples import samples_dir
from ..supervise import together
from ..tasks import TaskResult, task
from ..toolchain import find_go
from ..notebook import show_figure as _figure, show_markdown as _md

PROGRAM = "toolkit/leakprofile"


# --- the runtime's source ------------------------------------------------------------------------

def go_func(path: Path, signature: str) -> str:
    """One function of a Go source file, from its doc comment to its closing brace."""
    text = path.read_text()
    start = text.index(signature)
    start = text.rfind("\n\n", 0, start) + 2
    return text[start:text.index("\n}\n", start) + 2]


def show_runtime(signature: str, file: str = "src/runtime/mgc.go") -> None:
    """Show one function of the Go runtime this lab runs, read from its GOROOT."""
    root = Path(goroot(find_go()))
    _md(f"**`$GOROOT/{file}`**\n```go\n{go_func(root / file, signature)}```")


# --- running the cases ---------------------------------------------------------------------------

def case(name: str, seconds: float, n: int = 100, label: str | None = None, package: str = PROGRAM, **kw) -> Run:
    """Run a program of go_samples with one -case: it starts n goroutines over `seconds`, then
    main returns and the probe takes the goroutineleak profile."""
    return _check(samples_dir() / package, args=["-case", name, "-n", str(n), "-duration", f"{seconds:g}s"],
                  duration=seconds + 8, label=label or name, **kw)


def run_cases(names: list[str], seconds: float, at_once: int = 4, package: str = PROGRAM) -> dict[str, Run]:
    """Every case, a few programs at a time (each mostly waits); two spinning goroutines are
    enough for "busy"."""
    runs = together([lambda x=x: case(x, seconds, n=2 if x == "busy" else 100, package=package) for x in names],
                    at_once=at_once)
    return dict(zip(names, runs))


def counts(run: Run) -> tuple[int, int]:
    """(proven leaked, left behind but not proven) at the end of a run."""
    proven = sum(s.count for s in run.sites if s.proven)
    return proven, sum(s.count for s in run.sites) - proven


def table(results: dict[str, Run]) -> str:
    rows = ["| case | goroutines left when main returned | proven leaked | suspected only | waiting in | site |",
            "|---|---:|---:|---:|---|---|"]
    for name, r in results.items():
        p, s = counts(r)
        waits = ", ".join(sorted({x.wait_reason for x in r.sites})) or "—"
        where = ", ".join(sorted({x.location for x in r.sites})) or "—"
        rows.append(f"| `{name}` | {p + s} | **{p}** | {s} | {waits} | {where} |")
    return "\n".join(rows)


def figure(results: dict[str, Run]):
    """Proven and suspected per case, stacked, with "proven / left" written after each bar."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(results) + 1.6), layout="constrained")
    order = list(results)
    proven = [counts(results[n])[0] for n in order]
    suspected = [counts(results[n])[1] for n in order]
    ax.barh(order, proven, color=COLORS["leaky"], label="proven leaked (goroutineleak profile)")
    ax.barh(order, suspected, left=proven, color="0.65", label="left behind, not proven (suspected)")
    for i, (p, s) in enumerate(zip(proven, suspected)):
        ax.text(p + s + 1, i, f"{p} / {p + s}", va="center", fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(right=max(p + s for p, s in zip(proven, suspected)) * 1.12 + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.set_xlabel("goroutines left when main returned")
    ax.grid(alpha=0.3, axis="x")
    fig.legend(loc="outside lower center", ncols=2, fontsize=8.5, frameon=False)
    ax.set_title("Which goroutines left behind the profile proves, case by case", fontweight="bold")
    return fig


def show_cases(results: dict[str, Run]) -> None:
    _md(table(results))
    _figure(figure(results))


# --- the captured variable --------------------------------------------------------------------

def captures(package: str = PROGRAM, file: str = "channels.go",
             functions: tuple[str, ...] = ("closure", "closureCopy", "param")) -> list[tuple[int, str]]:
    """What `go build -gcflags=-m=2` says each function's closures capture (and the wrapper the
    compiler makes for `go f(v)`), as (line, message)."""
    found = set()
    for f in escape_analysis(samples_dir() / package, flags="-m=2"):
        msg = f["message"].split(" (")[0]
        if f["file"] == file and (msg.startswith(tuple(f"{fn} capturing" for fn in functions))
                                  or msg.startswith(tuple(f"can inline {fn}.gowrap" for fn in functions))):
            found.add((f["line"], msg))
    return sorted(found)


def show_captures(results: dict[str, Run]) -> None:
    for name in ("closure", "closure-copy", "param"):
        p, s = counts(results[name])
        print(f"{name:13} proven {p:3} of {p + s}")
    print("\ngo build -gcflags=-m=2, channels.go, what the closures capture:")
    for line, msg in captures():
        print(f"  line {line}: {msg}")


# --- the tiny allocator ----------------------------------------------------------------------------

def tiny_summary(results: dict[str, Run]) -> str:
    """The two tiny cases in numbers: proven, and how many locks shared a block with a live counter."""
    out = []
    shared = {}
    for name in ("tiny-alone", "tiny-shared"):
        r = results[name]
        p, s = counts(r)
        m = re.search(r"(\d+) of (\d+) locks share", r.stdout_tail)
        shared[name] = (int(m[1]), int(m[2])) if m else None
        out.append(f"{name:12} proven {p:3} of {p + s:3}   program says: {r.stdout_tail.strip()}")
    if shared["tiny-shared"]:
        k, n = shared["tiny-shared"]
        p = counts(results["tiny-shared"])[0]
        verdict = ("no more than the locks that did not share one" if p <= n - k else
                   "MORE than the locks that did not share one: unexpected, see the package's test")
        out.append(f"\ntiny-shared: {k} of {n} locks shared a block with a live counter, {n - k} did not; "
                   f"{p} proven leaked: {verdict}")
    return "\n".join(out)


# --- the live endpoint ------------------------------------------------------------------------------

def live(seconds: float, keep: str | Path) -> tuple[Run, float]:
    """The unreachable case served on 127.0.0.1 with gctrace on; at 70 % of the run the harness
    fetches /debug/pprof/goroutineleak, then /debug/pprof/goroutine right after it."""
    t = round(seconds * 0.7, 2)
    run = _check(samples_dir() / PROGRAM, args=["-case", "unreachable", "-n", "100", "-duration", f"{seconds:g}s", "-pprof"],
                 duration=seconds + 8, label="unreachable, served", keep=Path(keep) / "http", gctrace=True,
                 http_fetch=[(t, "/debug/pprof/goroutineleak?debug=1"), (t + 0.001, "/debug/pprof/goroutine?debug=1")])
    return run, seconds


def live_report(run: Run, seconds: float) -> str:
    """What the two fetched profiles hold, grouped by site, and every gctrace line of a cycle that
    searched for leaks, each said to come from the request or from after main returned."""
    from ..collect import parse_goroutine_profile
    lines = [f"program printed: {run.stdout_tail.splitlines()[0]}"]
    fetches = sorted(run.artifacts.glob("http-*"), key=lambda f: (int(f.name.split("-")[1]), "goroutineleak" not in f.name))
    fetches = [f for f in fetches if not f.name.endswith(".error")]
    for f in fetches:
        text = f.read_text()
        lines.append(f"\n{f.name}: {text.splitlines()[0]}")
        for site, n in sorted(parse_goroutine_profile(text, goroot(run.go)).items(), key=lambda kv: -kv[1]):
            lines.append(f"  {n:4}  {site}")
    fetched = int(fetches[0].name.split("-")[1]) / 1000 if fetches else float("nan")
    lines.append(f"\nfetched at t={fetched:.3f} s; the program started goroutines until t≈{seconds:g} s, then main returned.")
    lines.append("GC cycles that searched for leaks during this run (gctrace):")
    for g in (g for g in run.gctrace if g["leak_check"]):
        when = "the request" if g["t"] < seconds else "after main returned: the probe's end-of-run profile"
        lines.append(f"  gc {g['n']} @{g['t']:.3f}s ({when}), {g['pause_ms']:.2f} ms of pauses, "
                     f"{g['concurrent_ms']:.2f} ms of concurrent mark")
    return "\n".join(lines)


# --- the tasks: tasks/leak_snippets and tasks/leak_provable -------------------------------------------------------------------

SNIPPETS_PACKAGE = "tasks/leak_snippets"
SNIPPETS = ("waitgroup", "ctx-request", "ctx-session", "registry", "poll")
ANSWERS = ("proven", "suspected")


def run_snippets(seconds: float = 0.8, n: int = 50) -> dict[str, Run]:
    """Each snippet of tasks/leak_snippets run on its own (n calls over `seconds`), three at a time."""
    runs = together([lambda x=x: case(x, seconds, n=n, package=SNIPPETS_PACKAGE) for x in SNIPPETS], at_once=3)
    return dict(zip(SNIPPETS, runs))


def measured(run: Run) -> str:
    """"proven" when every goroutine left behind was proven leaked, "suspected" when none was,
    "mixed" otherwise, "none left" when nothing was left."""
    p, s = counts(run)
    if p + s == 0:
        return "none left"
    return "proven" if s == 0 else "suspected" if p == 0 else "mixed"


@task("snippet_predictions", package=SNIPPETS_PACKAGE, answer=True)
def check_predictions(answer, runs: dict[str, Run] | None = None) -> TaskResult:
    """The learner's {snippet: "proven"|"suspected"} against what the profile said when each
    snippet ran (the notebook's runs, or runs of its own)."""
    answer = answer if isinstance(answer, dict) else {}
    given = {k: str(answer.get(k) or "").strip().lower() for k in SNIPPETS}
    bad = [k for k, v in given.items() if v and v not in ANSWERS]
    if bad:
        return TaskResult(False, f"0 of {len(SNIPPETS)}: {bad[0]} says {given[bad[0]]!r}; write 'proven' or 'suspected'")
    if not any(given.values()):
        return TaskResult(False, f"0 of {len(SNIPPETS)} predicted yet: write 'proven' or 'suspected' for "
                                 + ", ".join(SNIPPETS))
    runs = runs or run_snippets()
    marks, right = [], 0
    rows = ["| snippet | your prediction | proven | left behind | the profile says |", "|---|---|---:|---:|---|"]
    for k in SNIPPETS:
        p, s = counts(runs[k])
        truth = measured(runs[k])
        ok = given[k] == truth
        right += ok
        marks.append(f"{k} {given[k] or '?'} {'✓' if ok else '✗'} ({p} of {p + s} proven)")
        rows.append(f"| `{k}` | {given[k] or '?'} {'✓' if ok else '✗'} | {p} | {p + s} | {truth} |")
    return TaskResult(right == len(SNIPPETS), f"{right} of {len(SNIPPETS)} right: " + "; ".join(marks),
                      "\n".join(rows))


PROVABLE_PACKAGE = "tasks/leak_provable"


@task("snippet_provable", package=PROVABLE_PACKAGE, files=("provable.go",))
def check_provable(seconds: float = 0.6, n: int = 30) -> TaskResult:
    """Run provable.go's `first` (n calls, three replicas each, so two goroutines left per call) and
    count how many of the goroutines left behind the profile proves."""
    try:
        run = _check(samples_dir() / PROVABLE_PACKAGE, args=["-n", str(n), "-duration", f"{seconds:g}s"],
                     duration=seconds + 8, label="first")
    except BuildError as err:
        return TaskResult(False, f"provable.go does not build: {err.messages[0] if err.messages else err}",
                          "Go says:\n\n```\n" + "\n".join(err.messages[:10]) + "\n```")
    except LeakLabError as err:
        return TaskResult(False, f"the run did not work: {err}")
    if not run.ok:
        return TaskResult(False, f"the run did not end normally: {run.message or run.exit}")
    p, s = counts(run)
    where = ", ".join(sorted({f"{x.function} [{x.wait_reason}] at {x.location}" for x in run.sites})) or "none"
    if p + s == 0:
        return TaskResult(False, f"0 goroutines left behind after {n} calls: that fixes the leak (good in real code); "
                                 "the task is to keep it and make the profile prove it", "")
    if s == 0:
        return TaskResult(True, f"{p} of {p + s} goroutines left behind after {n} calls proven leaked", f"Left behind: {where}.")
    return TaskResult(False, f"{p} of {p + s} goroutines left behind after {n} calls proven leaked; "
                             f"{s} only suspected", f"Left behind: {where}.")

"""Lab 16 (goroutine profiles by site, over time): one series per site, a ranking by growth, what
the ranking says in numbers, and the task: rank the sites of three instances of a service
(tasks/fleet_sites) and name the leaking ones, fastest first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..measure import Run, check as _check, goroot
from ..plot import COLORS
from ..samples import samples_dir
from ..supervise import together
from ..tasks import TaskResult, task
from ..verdict import theil_sen
from ..notebook import show_figure as _figure, show_markdown as _md

_OTHERS = ["#2471a3", "#7d3c98", "#b7950b", "#17a589", "#7f8c8d", "#d35400", "#34495e", "#1abc9c"]


# --- series and ranking ------------------------------------------------------------------------

def served(run: Run) -> float | None:
    """How long the program served (its `-duration` argument, in seconds), or None."""
    if "-duration" not in run.args[:-1]:
        return None
    m = re.fullmatch(r"([\d.]+)(ms|s)", run.args[run.args.index("-duration") + 1])
    return float(m[1]) / (1000 if m[2] == "ms" else 1) if m else None


def per_site(run: Run) -> dict[str, tuple[list[float], list[int]]]:
    """{site: (times, counts)} from the run's periodic goroutine profiles while it served (those
    taken after its `-duration`, as it shut down, are left out); a site missing from a profile
    counts 0 there."""
    until = served(run)
    return series([(t, d) for t, d in run.goroutine_series if until is None or t < until])


def series(profiles: list[tuple[float, dict[str, int]]]) -> dict[str, tuple[list[float], list[int]]]:
    names = sorted({s for _, d in profiles for s in d})
    ts = [t for t, _ in profiles]
    return {s: (ts, [d.get(s, 0) for _, d in profiles]) for s in names}


@dataclass
class Row:
    """One site's series in a few numbers."""

    site: str
    slope: float       # goroutines per second (Theil-Sen over all pairs of profiles)
    first: int
    last: int
    max: int
    never_fell: float  # share of steps from one profile to the next where the count did not fall
    late_slope: float = 0.0  # the slope over the second half of the profiles only

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def rank_series(by_site: dict[str, tuple[list[float], list[int]]]) -> list[Row]:
    """Sites by growth, steepest first."""
    out = []
    for site, (ts, ys) in by_site.items():
        steps = list(zip(ys, ys[1:]))
        h = len(ts) // 2
        out.append(Row(site, theil_sen(ts, ys), ys[0], ys[-1], max(ys),
                       sum(b >= a for a, b in steps) / len(steps) if steps else 1.0,
                       theil_sen(ts[h:], ys[h:]) if len(ts) - h >= 2 else 0.0))
    return sorted(out, key=lambda r: (-r.slope, -r.last, r.site))


def rank(run: Run) -> list[Row]:
    """The run's sites by growth, steepest first."""
    return rank_series(per_site(run))


def table(rows: list[Row], columns=("first", "last", "max", "slope", "never_fell")) -> str:
    """Rows as a markdown table (no rows: one line that says so)."""
    if not rows:
        return "_no goroutine outside `main` in any profile: nothing to rank_"
    head = {"first": "first", "last": "last", "max": "max", "slope": "slope (goroutines/s)",
            "never_fell": "steps without a fall", "late_slope": "slope, second half"}
    fmt = {"slope": lambda v: f"{v:+.1f}", "late_slope": lambda v: f"{v:+.1f}", "never_fell": lambda v: f"{v:.0%}"}
    lines = ["| site | " + " | ".join(head[c] for c in columns) + " |", "|---|" + "---:|" * len(columns)]
    lines += [f"| `{r.site}` | " + " | ".join(fmt.get(c, str)(getattr(r, c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def show_tables(runs: list[Run], most: int | None = None, columns=("first", "last", "max", "slope", "never_fell")) -> None:
    for run in runs:
        _md(f"**{run.label}**\n\n" + table(rank(run)[:most], columns))


# --- one raw profile ---------------------------------------------------------------------------

def _relative(text: str, run: Run) -> str:
    """Paths as a learner finds them: go_samples/... in the repository, $GOROOT/... in Go."""
    text = text.replace(str(samples_dir().resolve()) + "/", "go_samples/").replace(str(samples_dir()) + "/", "go_samples/")
    root = goroot(run.go) if run.go else ""
    return text.replace(root.rstrip("/") + "/", "$GOROOT/") if root else text


def raw_profile(run: Run, blocks: int = 2) -> tuple[str, float, dict[str, int]]:
    """The first `blocks` entries of a profile taken mid-run (debug=1, the program's own
    goroutines only), and the same profile grouped by site: (text, time, {site: count})."""
    files = sorted(run.artifacts.glob("goroutines-*.txt"), key=lambda p: int(p.stem.split("-")[1]))
    mid = files[len(files) // 2]
    raw = mid.read_text()
    head = raw.splitlines()[0] if raw.startswith("goroutine profile") else ""
    picked = [b.strip("\n") for b in raw.split("\n\n") if "main." in b and "leaklab" not in b
              and "main.main" not in b and not b.startswith("goroutine profile")]
    t = int(mid.stem.split("-")[1]) / 1000
    sites = dict(run.goroutine_series).get(t) or min(run.goroutine_series, key=lambda x: abs(x[0] - t))[1]
    text = "\n\n".join(picked[:blocks])
    return _relative(text, run), t, sites


def show_raw(run: Run) -> None:
    text, t, sites = raw_profile(run)
    print(text)
    print(f"\n... grouped by site at t={t:.2f} s:")
    for site, n in sorted(sites.items(), key=lambda kv: -kv[1]):
        print(f"  {n:4d}  {site}")


# --- the figure ---------------------------------------------------------------------------------

def figure(runs: list[Run], title: str):
    """One step line per site (the steepest site of the first run in red, bold), and the total
    count from runtime/metrics dotted; y shared, integer ticks, the legend below the panels."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    suspect = rank(runs[0])[0].site if rank(runs[0]) else None
    names = sorted({s for r in runs for s in per_site(r)} - {suspect})
    colour = {s: _OTHERS[i % len(_OTHERS)] for i, s in enumerate(names)}
    if suspect:
        colour[suspect] = COLORS["leaky"]
    fig, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 4.4), sharey=True, squeeze=False,
                             layout="constrained")
    for ax, run in zip(axes[0], runs):
        for site, (ts, ys) in per_site(run).items():
            ax.step(ts, ys, where="post", color=colour[site], lw=2.6 if site == suspect else 1.4, label=site)
        ax.plot([s["t"] for s in run.samples], [s["goroutines"] for s in run.samples], color="k", lw=0.8,
                ls=":", label="all goroutines (runtime/metrics)")
        ax.set_title(run.label, color=COLORS.get(run.label, "k"), loc="left", fontweight="bold")
        ax.set_title(run.verdict.verdict.upper(), loc="right", fontweight="bold",
                     color=COLORS["leaky"] if run.verdict.leak else COLORS["fixed"])
        ax.set_xlabel("time since start (s)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("goroutines at the site")
    seen = {}
    for ax in axes[0]:
        for h, lb in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lb, h)
    fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.suptitle(title, fontweight="bold")
    return fig


def show_figure(runs: list[Run], title: str) -> None:
    _figure(figure(runs, title))


# --- what the ranking says, in numbers ----------------------------------------------------------

def outgrows(ts: list[float], ys: list[float]) -> float:
    """Seconds until a series' growth exceeds its own wobble (5-95 % spread around a robust line)."""
    k = theil_sen(ts, ys)
    res = sorted(y - k * t for t, y in zip(ts, ys))
    if len(res) < 3 or k <= 0:
        return float("inf")
    wobble = res[int(0.95 * (len(res) - 1))] - res[int(0.05 * (len(res) - 1))]
    return wobble / k


def _position(rows: list[Row], pred) -> list[tuple[int, Row]]:
    return [(i + 1, r) for i, r in enumerate(rows) if pred(r)]


def findings(leaky: Run, fixed: Run, requests: int | None = None) -> str:
    """Markdown built from the two runs' rankings: where the leaking site, the handlers and the
    constant pools land, whether the healthy and the leaking fetch sites both showed up, and when
    the leak stood out of its own site's wobble and out of the total's."""
    rows, frows = rank(leaky), rank(fixed)
    if not rows:
        return "The leaky run's profiles hold no goroutine outside `main`: nothing to rank (a run too short?)."
    top = rows[0]
    out = [f"- **The leaking site** `{top.site}` is first, at {top.slope:+.1f} goroutines/s; its count went "
           f"{top.first} → {top.last} and did not fall in {top.never_fell:.0%} of the steps."]
    if requests:
        out[-1] += f" {top.last} goroutines stuck after {requests} requests ({top.last / requests:.0%} of lookups timed out)."
    hand = _position(rows, lambda r: r.site.startswith("main.handle @"))
    if hand:
        i, h = max(hand, key=lambda x: x[1].max)
        steeper = sum(1 for r in rows if r.slope > h.slope)
        out.append(f"- **The handlers** (`{h.site}`, row {i} of {len(rows)}) reached {h.max} at most; their count fell "
                   f"in {1 - h.never_fell:.0%} of the steps and their slope is {h.slope:+.1f}/s"
                   + (f", {h.slope / top.slope:.0%} of the leak's." if h.slope > 0 < top.slope else ".")
                   + (" A negative slope: fewer handlers were alive late in the run than early, by chance."
                      if h.slope < 0 else "") + f" {steeper} site{'s rank' if steeper != 1 else ' ranks'} above them.")
    flat = [r for r in rows if r.first == r.last == r.max and r.max > 0]
    if flat:
        out.append("- **Constant** sites: " + ", ".join(f"`{r.site}` ({r.max})" for r in flat)
                   + ": slope 0, never falling, however many they hold.")
    fetch = [r for r in rows if r.site.startswith("main.leaky.fetch @")]
    if len(fetch) >= 2:
        out.append("- `main.leaky.fetch` appears at " + " and ".join(f"`{r.site.split(' @ ')[1]}` (max {r.max}, "
                                                                         f"last {r.last})" for r in fetch)
                   + ": one entry function, two sites.")
    else:
        out.append("- Only one `main.leaky.fetch` site was caught in these profiles: no profile happened to find a "
                   "fetch still waiting for the backend (each lasts at most 10 ms).")
    f_top = frows[0] if frows else None
    out.append(f"- **Fixed:** " + (f"the steepest site, `{f_top.site}`, moves at {f_top.slope:+.1f}/s; "
                                   f"{len(frows)} sites in all." if f_top else "no goroutine outside `main` in any profile."))
    ramp = max([h.slope for _, h in hand] + [f_top.slope if f_top else 0.0])
    served_s = served(leaky)
    if served_s is not None and served_s < 4 and top.slope > 0 and ramp > 0.1 * top.slope:
        out.append(f"- This run served only {served_s:g} s: the handlers' ramp at the start still weighs in their "
                   f"slopes (up to {ramp:+.1f}/s here); a longer run brings them closer to 0.")
    ts, ys = per_site(leaky)[top.site]
    cut = [s for s in leaky.samples if s["t"] <= ts[-1]]   # the total while serving, before the shutdown
    own, total = outgrows(ts, ys), outgrows([s["t"] for s in cut], [s["goroutines"] for s in cut])
    out.append(f"- The leak stood out of its own site's wobble after {own:.2f} s, out of the total count's after "
               f"{total:.2f} s.")
    return "\n".join(out)


def show_findings(leaky: Run, fixed: Run) -> None:
    m = re.search(r"served (\d+) requests", leaky.stdout_tail)
    _md(findings(leaky, fixed, int(m[1]) if m else None))


def two_sites(runs: list[Run], leaking: int = 2) -> str:
    """For a program that leaks at two sites: are they the two steepest, never falling? In numbers."""
    by = {r.label: r for r in runs}
    rows = rank(by["leaky"])[:leaking]
    parts = [f"`{r.site}` {r.slope:+.1f}/s (never fell in {r.never_fell:.0%} of the steps, last {r.last})" for r in rows]
    frows = rank(by["fixed"])
    fixed = (f"the fixed run's steepest site moves at {frows[0].slope:+.1f}/s" if frows
             else "the fixed run's profiles hold no goroutine outside `main`")
    return f"The {len(rows)} steepest sites of the leaky run: " + "; ".join(parts) + f". {fixed.capitalize()}."


# --- the task: three instances, one ranking ----------------------------------------------------

PACKAGE = "tasks/fleet_sites"
# Three instances of the same service: the same code, different traffic and backends.
INSTANCES = {
    "A": ["-rate", "200", "-backend", "5ms"],
    "B": ["-rate", "150", "-backend", "5ms"],
    "C": ["-rate", "200", "-backend", "15ms"],
}
_SITE = re.compile(r"^\s*`?\s*(\S+)\s*@\s*(\S+?):(\d+)\s*`?\s*$")


@dataclass
class Fleet:
    """Three instances' runs with goroutine profiles; `duration` is how long each served (the
    profiles taken after it, while the instance shut down, are left out)."""

    runs: dict[str, Run]
    duration: float

    def profiles(self, name: str) -> list[tuple[float, dict[str, int]]]:
        return [(t, d) for t, d in self.runs[name].goroutine_series if t < self.duration]

    def rank(self, name: str) -> list[Row]:
        """One instance's sites by growth while it served."""
        return rank(self.runs[name])

    def total(self) -> dict[str, tuple[list[float], list[int]]]:
        """Per site, the counts summed over the instances, profile by profile (the i-th profile of
        each instance: they are taken at the same times since start)."""
        each = [self.profiles(n) for n in self.runs]
        profiles = []
        for i in range(min(len(p) for p in each)):
            summed: dict[str, int] = {}
            for p in each:
                for s, c in p[i][1].items():
                    summed[s] = summed.get(s, 0) + c
            profiles.append((each[0][i][0], summed))
        return series(profiles)


def fleet(duration: float, every: float = 0.25) -> Fleet:
    """Run the three instances at once, each taking a goroutine profile every `every` s."""
    dial = f"{0.35 * duration / 32 * 1000:.0f}ms"   # the 32 shards connect over the first 35 % of the run

    def one(name):
        return _check(samples_dir() / PACKAGE, args=[*INSTANCES[name], "-dial", dial, "-duration", f"{duration:g}s"],
                      duration=duration + 8, label=name, goroutines_every=every)
    runs = together([lambda n=n: one(n) for n in INSTANCES])
    return Fleet(dict(zip(INSTANCES, runs)), duration)


TASK_COLUMNS = ("first", "last", "max", "slope", "late_slope", "never_fell")


def show_fleet(f: Fleet) -> None:
    """Each instance's ranking while it served, as the on-call gets it from its profiles."""
    for name in f.runs:
        _md(f"**instance {name}**\n\n" + table(f.rank(name), TASK_COLUMNS))


def site_key(site: str) -> tuple[str, str] | None:
    """("function", "file:line") of a site written as the tables write it, or None."""
    m = _SITE.match(str(site))
    return (m[1], f"{Path(m[2]).name}:{m[3]}") if m else None


def _solution() -> list[str]:
    import json
    return json.loads((samples_dir() / PACKAGE / "testdata" / "solution.json").read_text())


@task("fleet_sites", package=PACKAGE, answer=True)
def check_fleet(answer, fleet: Fleet | None = None) -> TaskResult:
    """The learner lists the leaking sites, fastest first over the three instances together. The
    truth is what the service's code leaks (testdata/solution.json); with `fleet=` the check also
    measures each named site's summed slope and says what the others did."""
    truth = [site_key(s) for s in _solution()]
    listed = [s for s in answer if str(s).strip()] if isinstance(answer, (list, tuple)) else []
    bad = [s for s in listed if site_key(s) is None]
    if bad:
        return TaskResult(False, f"0 of {len(truth)}: write each site as the tables do, 'function @ file:line' "
                                 f"(not: {bad[0]!r})")
    given = [site_key(s) for s in listed]
    if not given:
        return TaskResult(False, f"0 of {len(truth)} leaking sites named yet: list them, fastest first, "
                                 "as 'function @ file:line'")
    measured = {}
    if fleet is not None:
        ranked = rank_series(fleet.total())
        measured = {site_key(r.site): r for r in ranked}
    name = lambda k: f"{k[0]} @ {k[1]}"  # noqa: E731
    slope = lambda k: f" ({measured[k].slope:+.1f}/s)" if k in measured else ""  # noqa: E731
    found = [k for k in given if k in truth]
    extra = [k for k in given if k not in truth]
    details = ""
    if measured:
        details = ("The three instances summed, profile by profile, while they served:\n\n"
                   + table(ranked, TASK_COLUMNS))
    if extra:
        k = extra[0]
        why = ""
        if k in measured:
            r = measured[k]
            why = (f": {r.slope:+.1f}/s over the run, {r.late_slope:+.1f}/s in its second half, last {r.last}, "
                   f"max {r.max}, fell in {1 - r.never_fell:.0%} of the steps")
        return TaskResult(False, f"{len(found)} of {len(truth)} leaking sites named; {name(k)} does not leak{why}",
                          details)
    if len(found) < len(truth):
        return TaskResult(False, f"{len(found)} of {len(truth)} leaking sites named: "
                                 + ", ".join(name(k) + slope(k) for k in found) + "; one more leaks", details)
    if given != truth:
        return TaskResult(False, f"both leaking sites named, fastest last: " + ", ".join(name(k) + slope(k) for k in given)
                          + " — over the three instances together, which one grows faster?", details)
    return TaskResult(True, f"{len(truth)} of {len(truth)}, fastest first: " + ", ".join(name(k) + slope(k) for k in given),
                      details)

"""Lab 21, the watchdog (go_samples/watchdog): its tests as a table, a loopback webhook that
receives the demo's alerts, the demo's runs and numbers, the false-alarm runs, the figure, and the
task (tasks/watchdog_tune: options under which a warm-up stays quiet and a heap leak alerts).

The demo runs with the lab's probe built in (it draws the figures); the probe's own goroutine is
not the demo's, so it is left out of every alert and log line shown here."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..measure import Run, check
from ..samples import samples_dir
from ..supervise import Helper
from ..tasks import TaskResult, task
from ..toolchain import go_for
from ..notebook import show_markdown as _md

PROBE = re.compile(r"(?<![A-Za-z0-9_])leaklab")   # main.leaklabGo, main.(*leaklabProbeState)...; not goleaklab/
DEMO_WINDOW_S, DEMO_EVERY_S = 2.0, 0.1   # the demo's -window and -every defaults


def show_go(rel: str, start: str | None = None, end: str | None = None) -> None:
    """A Go file of go_samples, optionally from the first line matching regex `start` to the next
    line matching regex `end`."""
    lines = (samples_dir() / rel).read_text().splitlines()
    i = next((k for k, ln in enumerate(lines) if re.search(start, ln)), 0) if start else 0
    j = next((k for k, ln in enumerate(lines[i:], i) if re.search(end, ln)), len(lines) - 1) if end else len(lines) - 1
    _md(f"**`go_samples/{rel}`**\n```go\n" + "\n".join(lines[i:j + 1]) + "\n```")


def go_test(run: str | None = None) -> tuple[bool, list[tuple[str, str, float]], float, str]:
    """`go test -count=1 -v [-run RUN] ./watchdog/`: passed, (test, PASS|FAIL, s) rows, wall
    seconds, output."""
    t0 = time.monotonic()
    res = go_for(None).run("test", "-count=1", "-v", *(["-run", run] if run else []), "./watchdog/",
                           cwd=samples_dir(), timeout=600)
    rows = [(n, r, float(s)) for r, n, s in re.findall(r"--- (PASS|FAIL): (\S+) \(([\d.]+)s\)", res.stdout)]
    return res.returncode == 0, rows, time.monotonic() - t0, res.stdout + res.stderr


def show_tests() -> None:
    ok, rows, took, out = go_test()
    _md("| test | result | time |\n|---|---|---|\n" + "\n".join(f"| `{n}` | {r} | {s:.2f} s |" for n, r, s in rows))
    print(f"go test ./watchdog/: {'ok' if ok else 'FAILED'} in {took:.1f} s")
    if not ok:
        raise AssertionError(out[-2000:])


# --- the webhook -----------------------------------------------------------------------------------

class Webhook:
    """A tiny HTTP server on a free loopback port that keeps every alert POSTed to it, with the
    path it came to (each run posts to its own) and when."""

    def __init__(self):
        self.received: list[tuple[float, str, dict]] = []
        self.started = time.monotonic()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.received.append((time.monotonic() - hook.started, self.path, json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):   # keep the notebook quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @staticmethod
    def path(label: str) -> str:
        return "/" + label.replace(" ", "-")

    def alerts_for(self, label: str) -> list[dict]:
        return [a for _, p, a in self.received if p == self.path(label)]

    def stop(self) -> str:
        self.server.shutdown()
        self.server.server_close()
        return f"webhook stopped; it received {len(self.received)} alert(s) in all"


def demo(hook: Webhook, variant: str, seconds: float, label: str | None = None) -> Run:
    """The demo service under the watchdog, posting to its own path of the webhook; the probe
    forces no GC (as in production)."""
    label = label or variant
    args = ["-variant", variant, "-duration", f"{seconds:g}s", "-webhook", hook.url + hook.path(label)]
    return check(samples_dir() / "watchdog" / "demo", args=args, duration=seconds + 8, label=label, gc_every_ms=0)


def probe_sites(alert: dict) -> list[dict]:
    """The sites of an alert that are the lab's probe: its function or any frame of its stack is
    the probe's (caught in a system call, the probe's goroutine has syscall.Syscall on top)."""
    return [s for s in alert.get("sites") or []
            if PROBE.search(s["function"]) or any(PROBE.search(f) for f in s.get("stack", []))]


def without_probe(alert: dict) -> dict:
    """The alert as the demo would send it without the lab's probe built in: the probe's
    goroutine left out of its sites and of its goroutine count."""
    a = copy.deepcopy(alert)
    probe = probe_sites(a)
    a["sites"] = [s for s in a.get("sites") or [] if s not in probe]
    if "goroutines" in a:
        a["goroutines"] -= sum(s["count"] for s in probe)
    return a


def log_lines(run: Run, alerts: list[dict] | None = None) -> list[str]:
    """The LogSink lines of a run (stderr), the probe's site left out: a line naming the probe, or
    (given the alerts the webhook received from the same run) the line of a site those alerts show
    to be the probe's, whose own line names only the function on top of its stack."""
    mine = {f"{s['count']} x {s['function']} at {s['location']}" for a in alerts or [] for s in probe_sites(a)}
    return [ln for ln in run.stderr_tail.splitlines()
            if "watchdog:" in ln and not PROBE.search(ln) and not any(ln.rstrip().endswith(m) for m in mine)]


def show_first_alert(alerts: list[dict], sites: int = 3, frames: int = 3) -> dict:
    first = without_probe(alerts[0])
    shown = {**first, "sites": [{**s, "stack": s["stack"][:frames]} for s in first["sites"][:sites]]}
    _md(f"**The first alert the webhook received from the leaky run** (sites cut to {sites}, stacks to "
        f"{frames} frames):\n```json\n" + json.dumps(shown, indent=1) + "\n```")
    return first


def cost(run: Run) -> tuple[int, int, float]:
    """The demo's last line: samples, alerts and µs per sample of the watchdog itself."""
    m = re.search(r"watchdog: (\d+) samples, (\d+) alerts, ([\d.]+) µs per sample", run.stdout_tail)
    return int(m[1]), int(m[2]), float(m[3])


def numbers(runs: list[Run], leaky_alerts: list[dict]) -> list[str]:
    """What the leaky/fixed pair measured: time to alert, which metric, growth, top site, heap,
    the watchdog's own cost."""
    first = without_probe(leaky_alerts[0])
    (n_l, a_l, us_l), (n_f, a_f, us_f) = cost(runs[0]), cost(runs[1])
    gcs = [r.samples[-1]["gc_cycles"] - r.samples[0]["gc_cycles"] for r in runs]
    top = first["sites"][0]
    return [
        f"time to alert: {first['since_start_s']:.2f} s after the watchdog started "
        f"(window {first['window_s']:.0f} s = {first['samples']} samples, then the confirmations)",
        f"alerted on: {', '.join(sorted({a['metric'] for a in leaky_alerts}))}; "
        f"GC cycles during the runs: leaky {gcs[0]}, fixed {gcs[1]}",
        f"growth seen: {first['first']:.0f} -> {first['last']:.0f} goroutines in the window, "
        f"Theil-Sen {first['trend']['slope_per_s']:+.0f}/s, Mann-Kendall z = {first['trend']['z']:.1f}",
        f"top site: {top['count']} × {top['function']} at {top['location']}; the other sites hold "
        + (", ".join(f"{s['count']} ({s['function']})" for s in first["sites"][1:]) or "nothing"),
        "heap in use at the last sample: " + ", ".join(f"{r.label} {r.samples[-1]['heap_object_bytes'] / 1e6:.1f} MB" for r in runs)
        + "; live heap after the probe's end-of-run collection: "
        + ", ".join(f"{r.label} {r.final['heap_live'] / 1e6:.2f} MB" for r in runs),
        f"watchdog cost: {us_f:.0f} µs per sample when quiet (fixed), {us_l:.0f} µs per sample on average "
        f"with {a_l} alert(s) (leaky); at the default 1 s interval that is {us_f / 1e6:.4%} of one core",
    ]


def calm_numbers(calm: list[Run], hook: Webhook, seconds: float, quick: bool) -> tuple[list[str], int]:
    """The growing-then-stable runs: false alarms, how much they grew and by when, when an alert
    the warm-up caused would have come at the latest; and whether the runs lasted that long."""
    false_alarms = sum(bool(hook.alerts_for(r.label)) for r in calm)
    rise = [max(s["goroutines"] for s in r.samples) - r.samples[0]["goroutines"] for r in calm]
    grown_at = max(next(s["t"] for s in r.samples if s["goroutines"] - r.samples[0]["goroutines"] >= 0.95 * d)
                   for r, d in zip(calm, rise))
    confirm = max(3, round(DEMO_WINDOW_S / DEMO_EVERY_S) // 4)   # the package's default Confirm
    wait_s = (confirm - 1) * DEMO_EVERY_S
    lines = [f"false alarms: {false_alarms}/{len(calm)} runs of {seconds:g} s (each grew by {min(rise)}-{max(rise)} "
             f"goroutines, 95 % of it by t = {grown_at:.2f} s, then stayed flat)",
             f"earliest possible alert: t = {DEMO_WINDOW_S + wait_s:.1f} s (a full window, then {confirm} tests in a "
             f"row); the last window holding part of the growth ends by t = {grown_at + DEMO_WINDOW_S:.1f} s, so an "
             f"alert it caused would come by t = {grown_at + DEMO_WINDOW_S + wait_s:.1f} s"]
    if seconds <= grown_at + DEMO_WINDOW_S + wait_s:
        lines.append("the runs ended before the warm-up's last possible alert: they cannot show that it stays quiet")
    if quick or len(calm) < 10:
        lines.append(f"{len(calm)} runs are too few to put a number on the false-alarm rate (quick=False runs 10); "
                     "they show only that these runs stayed quiet or not")
    return lines, false_alarms


def plot_alerts(runs: list[Run], calm: list[Run], hook: Webhook):
    """Goroutines over time, leaky/fixed on the left, the growing-then-stable runs on the right;
    each alert a dashed line at its time."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from ..plot import COLORS
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True, layout="constrained")
    fixed_alerts = len(hook.alerts_for("fixed"))
    first = hook.alerts_for("leaky")
    false_alarms = sum(bool(hook.alerts_for(r.label)) for r in calm)
    titles = (f"leaky: alert at {first[0]['since_start_s']:.1f} s; fixed: {fixed_alerts} alerts" if first
              else f"leaky: no alert; fixed: {fixed_alerts} alerts",
              f"growing-then-stable: {false_alarms} of {len(calm)} runs alerted")
    for ax, group, title in ((axes[0], runs, titles[0]), (axes[1], calm, titles[1])):
        for i, r in enumerate(group):
            pair = r.label in ("leaky", "fixed")
            colour = COLORS.get(r.label, "#2471a3")
            ax.plot([s["t"] for s in r.samples], [s["goroutines"] for s in r.samples], color=colour, lw=1.8,
                    alpha=1 if pair else 0.6, label=r.label if pair else (f"{len(group)} runs" if i == 0 else None))
            for a in hook.alerts_for(r.label):
                ax.axvline(a["since_start_s"], color=colour, ls="--", lw=1.2,
                           label=f"alert ({r.label})" if pair else None)
        ax.set_title(title, loc="left", fontweight="bold", fontsize=10)
        ax.set_xlabel("time since start (s)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8, frameon=False)
    axes[0].set_ylabel("goroutines")
    fig.suptitle("Goroutines under the watchdog, and its alerts (dashed)", fontweight="bold")
    return fig


def show_alerts(runs: list[Run], calm: list[Run], hook: Webhook) -> None:
    from ..notebook import _display_figure
    _display_figure(plot_alerts(runs, calm, hook))


def show_blind_spot() -> None:
    show_go("watchdog/watchdog_test.go", "^// The known blind spot", "^}")
    ok, rows, _, out = go_test("Warmup|LevelsOff|NoiseAlone")
    print("\n".join(f"--- {r}: {n} ({s:.2f}s)" for n, r, s in rows))


# --- the task: tune the watchdog ---------------------------------------------------------------------

TASK_PKG = "tasks/watchdog_tune"
TASK_S = 8.0   # each service runs this long under the check


def run_task(seconds: float = TASK_S) -> tuple[dict[str, dict], list[str]]:
    """Build the task's program with the learner's tune.go and run both services at once: their
    JSON summaries, or Go's messages when it does not build or a run fails."""
    go = go_for(None)
    folder = samples_dir() / TASK_PKG
    with tempfile.TemporaryDirectory(prefix="leaklab-task21-") as tmp:
        binary = Path(tmp) / "watchdog_tune"
        res = go.run("build", "-o", str(binary), ".", cwd=folder)
        if res.returncode != 0:
            return {}, [ln for ln in res.stderr.splitlines() if ln.strip() and not ln.startswith("#")]
        helpers = {}
        try:
            for v in ("warmup", "heapleak"):
                helpers[v] = Helper([str(binary), "-variant", v, "-duration", f"{seconds:g}s"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=go.env())
            out, errors = {}, []
            for v, h in helpers.items():
                p = h.proc
                try:
                    so, se = p.communicate(timeout=seconds + 30)
                except subprocess.TimeoutExpired:
                    h.stop()
                    so, se = p.communicate()
                line = next((ln for ln in so.splitlines() if ln.startswith("{")), None)
                if p.returncode != 0 or line is None:
                    errors.append(f"{v}: {se.strip().splitlines()[-1] if se.strip() else f'exit status {p.returncode}'}")
                else:
                    out[v] = json.loads(line)
            return out, errors
        finally:  # on every path, the stop button included: neither program outlives the check
            for h in helpers.values():
                h.stop()


def _alerts(summary: dict) -> list[dict]:
    return summary.get("alerts") or []


def _describe(a: dict) -> str:
    rate = a["trend"]["slope_per_s"] * 60
    what = f"{rate / 2**20:+.0f} MiB/min" if a["metric"] == "heap_live" else f"{rate:+.0f} goroutines/min"
    return f"{a['metric']} at {a['since_start_s']:.1f} s ({what})"


@task("watchdog_tune", package=TASK_PKG, files=("tune.go",))
def check_watchdog_tune(**kw) -> TaskResult:
    """Done when, under the options of tune.go, the warm-up raises no alert and the heap leak a
    heap alert, each in an 8 s run."""
    runs, errors = run_task()
    if errors:
        return TaskResult(False, f"not done: {errors[0]}", "Go says:\n```\n" + "\n".join(errors[:15]) + "\n```")
    warm, leak = _alerts(runs["warmup"]), _alerts(runs["heapleak"])
    heap = [a for a in leak if a["metric"] == "heap_live"]
    quiet, caught = not warm, bool(heap)
    done = quiet and caught
    warm_txt = (f"warm-up quiet for {runs['warmup']['seconds']:.0f} s" if quiet else
                f"warm-up raised {len(warm)} alert(s), want none: " + ", ".join(_describe(a) for a in warm[:2]))
    leak_txt = (f"heap leak: {_describe(heap[0])}" if caught else
                f"heap leak: no heap alert in {runs['heapleak']['seconds']:.0f} s"
                + (f" ({len(leak)} other alert(s))" if leak else ""))
    return TaskResult(done, f"{'done' if done else 'not done'}: {warm_txt}; {leak_txt}")

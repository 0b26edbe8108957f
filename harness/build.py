"""Build any unmodified `package main` with the probe injected through `go build -overlay`.

The user's files are never written: the overlay adds the probe's files to the package. With
Go 1.23+ an exit hook captures the end state when the program's `main` returns (or it calls
os.Exit), and the program's code is compiled as it is. Older toolchains have no exit hooks: the
overlay then also supplies a copy of the file holding `func main` with that function renamed,
and the probe's own `main` calls it and captures the end state after it returns. The exit hook is
a runtime internal the probe links to with a copy of its types: before each build the toolchain's
own declaration is compared with that copy (`exit_hook_mismatch`), and a toolchain whose API
differs gets the wrapped main instead, with a note (`Binary.notes`) saying so.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, TargetError
from .toolchain import MIN_VERSION, Go, cache_root, find_go, write_atomic

PROBE_SOURCE = Path(__file__).with_name("probe") / "leaklab_probe.go"
PROBE_NAME = "zz_leaklab_probe.go"
EXITHOOK_SOURCE = Path(__file__).with_name("probe") / "leaklab_exithook.go"
EXITHOOK_NAME = "zz_leaklab_exithook.go"
MAIN_SOURCE = Path(__file__).with_name("probe") / "leaklab_main.go"
MAIN_NAME = "zz_leaklab_main.go"
# Open files and child processes from /proc: built into Linux programs only (a file named on the
# command line is compiled whatever its build constraint says, so the harness picks it).
PROC_SOURCE = Path(__file__).with_name("probe") / "leaklab_proc_linux.go"
PROC_NAME = "zz_leaklab_proc_linux.go"
USER_MAIN = "leaklabUserMain"
_MAIN_RE = re.compile(r"^func\s+main\s*\(\s*\)", re.M)
_GO_MSG_RE = re.compile(r"^\S+\.go:\d+(:\d+)?: ")


@dataclass(frozen=True)
class Binary:
    """An instrumented executable and what it was built from."""

    path: Path
    target: str          # what the user named (dir or file)
    package_dir: Path
    main_file: Path
    go: Go
    cached: bool
    notes: tuple[str, ...] = ()  # one line each, for people: how the probe had to be built


def cache_dir() -> Path:
    return cache_root() / "bin"


# --- the runtime's exit-hook API, checked before the probe links to it ----------------------

EXITHOOK_API = Path("src") / "internal" / "runtime" / "exithook" / "hooks.go"  # under GOROOT
_log = logging.getLogger(__name__)
_said: set[str] = set()  # notes already logged by this process


def _go_decls(src: str) -> str:
    """Go source without comments (no string in these files holds // or /*)."""
    return re.sub(r"//[^\n]*", "", re.sub(r"/\*.*?\*/", "", src, flags=re.S))


def _struct_fields(src: str, name: str) -> list[tuple[str, str]] | None:
    """The fields of `type NAME struct {...}` as (name, type without spaces), in order."""
    m = re.search(r"^type\s+" + re.escape(name) + r"\s+struct\s*\{(.*?)^\}", src, re.M | re.S)
    if not m:
        return None
    fields = []
    for line in m.group(1).splitlines():
        line = re.sub(r'\s*`[^`]*`\s*$', "", line).strip()  # a struct tag does not change the layout
        if not line:
            continue
        fm = re.match(r"^(\w+(?:\s*,\s*\w+)*)\s+(\S.*)$", line)
        if not fm:  # an embedded field: its type is its name
            fields.append((line, re.sub(r"\s+", "", line)))
            continue
        for n in fm.group(1).split(","):
            fields.append((n.strip(), re.sub(r"\s+", "", fm.group(2))))
    return fields


def _func_sig(src: str, name: str) -> tuple[list[str], str] | None:
    """The parameter types and the results (spaces removed) of `func NAME(...) ...`."""
    m = re.search(r"^func\s+" + re.escape(name) + r"\s*\(([^)]*)\)[ \t]*([^{\n]*)", src, re.M)
    if not m:
        return None
    params = [re.sub(r"\s+", "", p.strip().split(None, 1)[-1]) for p in m.group(1).split(",") if p.strip()]
    return params, re.sub(r"\s+", "", m.group(2))


def _show(fields: list[tuple[str, str]] | None) -> str:
    return "{" + "; ".join(f"{n} {t}" for n, t in fields or []) + "}"


@functools.lru_cache(maxsize=None)
def _exit_hook_mismatch_cached(root: str, stat: tuple, probe: bytes, version: str) -> str | None:
    hooks = Path(root) / EXITHOOK_API
    where = f"$GOROOT/{EXITHOOK_API}"
    fix = (f"the probe wraps the program's main instead (as for Go < 1.23); to use the exit hook, "
           f"update harness/probe/{EXITHOOK_SOURCE.name} to match {where}")
    if not stat:
        note = f"{version} has no {where}: {fix}"
    else:
        src = _go_decls(hooks.read_text(errors="replace"))
        mine = _go_decls(probe.decode())
        theirs_fields, probe_fields = _struct_fields(src, "Hook"), _struct_fields(mine, "leaklabHook")
        theirs_add, probe_add = _func_sig(src, "Add"), _func_sig(mine, "leaklabAddExitHook")
        if probe_add:  # the probe's copy names the struct leaklabHook where the runtime says Hook
            probe_add = ([{"leaklabHook": "Hook"}.get(t, t) for t in probe_add[0]], probe_add[1])
        if not re.search(r"^package\s+exithook\b", src, re.M):
            note = f"{version}: {where} is not package exithook: {fix}"
        elif theirs_fields is None or theirs_fields != probe_fields:
            note = (f"{version}'s exithook.Hook is {_show(theirs_fields)}, the probe copies "
                    f"{_show(probe_fields)}: {fix}")
        elif theirs_add != probe_add:
            got = f"func Add({', '.join(theirs_add[0])}) {theirs_add[1]}".rstrip() if theirs_add else "missing"
            note = f"{version}'s exithook.Add is {got}, the probe calls func Add(Hook): {fix}"
        else:
            return None
    return note


def exit_hook_mismatch(go: Go) -> str | None:
    """None when the exit-hook API of `go`'s runtime (exithook.Hook's fields and exithook.Add's
    signature in $GOROOT/src/internal/runtime/exithook/hooks.go) is exactly what the probe's
    linkname copy assumes; otherwise one line saying what differs and what the build does
    instead (a layout the probe does not know would corrupt memory silently). Cached per
    toolchain (and per content of both files)."""
    root = _goroot(go)
    hooks = Path(root) / EXITHOOK_API if root else None
    try:
        st = hooks.stat() if hooks else None
        stat = (st.st_mtime_ns, st.st_size, st.st_ino) if st else ()
    except OSError:
        stat = ()
    return _exit_hook_mismatch_cached(str(root), stat, EXITHOOK_SOURCE.read_bytes(), go.version)


@functools.lru_cache(maxsize=None)
def _goroot_cached(go: Go) -> str:
    res = go.run("env", "GOROOT", timeout=60)
    return res.stdout.strip() if res.returncode == 0 else ""


def _goroot(go: Go) -> str:
    return go.root or _goroot_cached(go)


def _uses_exit_hook(go: Go) -> tuple[bool, tuple[str, ...]]:
    """Whether the probe links to the runtime's exit hook for `go`, and the notes to show."""
    if go.major_minor < (1, 23):  # exit hooks live in internal/runtime/exithook since 1.23
        return False, ()
    note = exit_hook_mismatch(go)
    if note and note not in _said:
        _said.add(note)
        _log.warning("%s", note)  # once per toolchain and process; Binary.notes carries it too
    return note is None, (note,) if note else ()


def _go_list(go: Go, target: Path, overlay: Path | None) -> list[dict]:
    """`go list -deps -json` for the target; the target package is the last entry."""
    if target.is_file():
        cwd, arg = target.parent, target.name
    else:
        cwd, arg = target, "."
    extra = ["-overlay", str(overlay)] if overlay else []
    out = go.run("list", *extra, "-deps", "-json", arg, cwd=cwd, timeout=120)
    if out.returncode != 0:
        lines = [ln for ln in out.stderr.strip().splitlines() if ln.strip()]
        msg = lines[0] if lines else "go list failed"
        if "go.mod file not found" in out.stderr or "cannot find main module" in out.stderr:
            msg = f"{target} is not inside a Go module (add a go.mod, or pass a single .go file)"
        elif "no Go files" in out.stderr:
            msg = f"{target} holds no Go files"
        raise TargetError(msg)
    return json_stream(out.stdout)


def json_stream(text: str) -> list[dict]:
    """The JSON objects `go list -json` prints one after another."""
    dec, objs, i = json.JSONDecoder(), [], 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        obj, i = dec.raw_decode(text, i)
        objs.append(obj)
    return objs


def _find_gomod(path: Path) -> Path | None:
    for d in [path if path.is_dir() else path.parent, *path.parents]:
        if (d / "go.mod").exists():
            return d / "go.mod"
    return None


def _old_toolchain_gomod(go: Go, gomod: Path, work: Path) -> Path:
    """An older toolchain (a lab comparing Go versions) refuses a newer `go` line: give it
    a go.mod, through the overlay, that asks for its own version instead."""
    text = re.sub(r"(?m)^go \d+\.\d+(\.\d+)?$", "go %d.%d" % go.major_minor, gomod.read_text())
    text = re.sub(r"(?m)^toolchain .*$", "", text)
    out = work / "go.mod"
    out.write_text(text)
    return out


def _fingerprint(go: Go, pkgs: list[dict], target: Path, mode: str) -> str:
    h = hashlib.sha256()
    h.update(go.version.encode() + b"\0" + go.path.encode() + b"\0" + _env_key() + b"\0" + mode.encode() + b"\0")
    h.update(PROBE_SOURCE.read_bytes() + EXITHOOK_SOURCE.read_bytes() + MAIN_SOURCE.read_bytes()
             + PROC_SOURCE.read_bytes() + _target_goos().encode())
    h.update(str(target.resolve()).encode())
    for p in pkgs:
        if p.get("Standard"):
            continue
        d = Path(p["Dir"])
        for name in sorted(p.get("GoFiles", []) + p.get("EmbedFiles", [])):
            f = d / name
            h.update(str(f).encode() + b"\0")
            h.update(f.read_bytes() if f.exists() else b"?")
        gomod = (p.get("Module") or {}).get("GoMod")
        if gomod and Path(gomod).exists():
            h.update(Path(gomod).read_bytes())
    return h.hexdigest()[:24]


# Settings of the go command that change what gets built: part of every cache key.
_BUILD_ENV = ("GOFLAGS", "GOEXPERIMENT", "GOOS", "GOARCH", "GOAMD64", "GOARM64", "GOWORK")


def _target_goos() -> str:
    """The GOOS the harness builds for: $GOOS, else this machine's."""
    return os.environ.get("GOOS") or ("linux" if sys.platform.startswith("linux") else sys.platform)


def _env_key() -> bytes:
    return "\0".join(f"{k}={os.environ.get(k, '')}" for k in _BUILD_ENV).encode()


def _memo_path(go: Go, path: Path) -> Path:
    h = hashlib.sha256(b"\0".join([go.path.encode(), go.version.encode(), str(path).encode(), _env_key()]))
    return cache_dir() / "list" / (h.hexdigest()[:24] + ".json")


def _source_signature(dirs: list[str], files: list[str]) -> str:
    """A hash of every .go file in the package folders (whatever their build tags: a file that
    only tags left out may be changed to count), of the names in those folders (a file added or
    removed) and of `files` (go.mod, go.sum, the probe). Reading a few small files is far
    cheaper than `go list`."""
    h = hashlib.sha256()
    for d in sorted(set(dirs)):
        h.update(b"D" + d.encode() + b"\0")
        try:
            names = sorted(os.listdir(d))
        except OSError:
            names = ["?"]
        for name in names:
            h.update(name.encode() + b"\0")
            if name.endswith(".go") or name in ("go.mod", "go.sum", "go.work"):
                try:
                    h.update(Path(d, name).read_bytes())
                except OSError:
                    h.update(b"?")
    for f in sorted(set(files)):
        h.update(b"F" + f.encode() + b"\0")
        try:
            h.update(Path(f).read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


def _memo_hit(go: Go, path: Path) -> Binary | None:
    """The cached binary of `path`, without asking `go list`, when no source it was built from
    changed since (same signature): each sample is listed and built once, then only read."""
    try:
        memo = json.loads(_memo_path(go, path).read_text())
        binary = cache_dir() / memo["key"] / "prog"
        if not binary.exists() or _source_signature(memo["dirs"], memo["files"]) != memo["sig"]:
            return None
        return Binary(binary, memo["target"], Path(memo["pkg_dir"]), Path(memo["main_file"]), go, True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _memo_write(go: Go, path: Path, pkgs: list[dict], key: str, target: str, pkg_dir: Path,
                main_file: Path) -> None:
    dirs = [p["Dir"] for p in pkgs if not p.get("Standard") and p.get("Dir")]
    files = [str(PROBE_SOURCE), str(EXITHOOK_SOURCE), str(MAIN_SOURCE), str(PROC_SOURCE)]
    if go.major_minor >= (1, 23) and _goroot(go):  # the exit-hook API checked (see exit_hook_mismatch)
        files.append(str(Path(_goroot(go)) / EXITHOOK_API))
    for p in pkgs:
        gomod = (p.get("Module") or {}).get("GoMod")
        if gomod and not p.get("Standard"):
            files += [gomod, str(Path(gomod).with_name("go.sum"))]
    sig = _source_signature(dirs, files)
    memo = {"key": key, "target": target, "pkg_dir": str(pkg_dir), "main_file": str(main_file),
            "dirs": dirs, "files": files, "sig": sig}
    write_atomic(_memo_path(go, path), json.dumps(memo))


_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def build(target: str | os.PathLike, go: Go | None = None, use_cache: bool = True) -> Binary:
    """Build `target` (a directory holding package main, or one .go file) with the probe.
    Runs side by side that build the same program wait for one build (then hit the cache)."""
    go = go or find_go()
    with _locks_guard:
        lock = _locks.setdefault((go.path, str(Path(target).expanduser().resolve())), threading.Lock())
    with lock:
        return _build(target, go, use_cache)


def _build(target: str | os.PathLike, go: Go, use_cache: bool) -> Binary:
    path = Path(target).expanduser()
    if not path.exists():
        raise TargetError(f"{target}: no such file or directory")
    if path.is_file() and path.suffix != ".go":
        raise TargetError(f"{target}: not a .go file or a package directory")
    path = path.resolve()
    use_hook, notes = _uses_exit_hook(go)  # the memo's signature covers the files this reads
    if use_cache and (hit := _memo_hit(go, path)) is not None:
        return Binary(hit.path, str(target), hit.package_dir, hit.main_file, go, True, notes)
    work = Path(tempfile.mkdtemp(prefix="leaklab-build-"))
    try:
        overlay: dict[Path, Path] = {}
        gomod = _find_gomod(path)
        if gomod and go.major_minor < MIN_VERSION:
            overlay[gomod] = _old_toolchain_gomod(go, gomod, work)
        _write_overlay(work, overlay)
        pkgs = _go_list(go, path, work / "overlay.json" if overlay else None)
        pkg = pkgs[-1]
        if pkg.get("Error"):
            raise TargetError(f"{target}: {pkg['Error'].get('Err', 'cannot load package').splitlines()[0]}")
        if pkg.get("Name") != "main":
            raise TargetError(f"{target} is package {pkg.get('Name')!r}, not a main package: "
                              "the harness runs programs (package main with func main)")
        pkg_dir = Path(pkg["Dir"])
        main_file = next((pkg_dir / n for n in pkg.get("GoFiles", [])
                          if _MAIN_RE.search((pkg_dir / n).read_text(errors="replace"))), None)

        key = _fingerprint(go, pkgs, path, "exithook" if use_hook else "wrapper")
        cached = cache_dir() / key / "prog"
        if use_cache and cached.exists():
            if main_file is not None:
                _memo_write(go, path, pkgs, key, str(target), pkg_dir, main_file)
            return Binary(cached, str(target), pkg_dir, main_file or pkg_dir, go, True, notes)

        overlay[pkg_dir / PROBE_NAME] = work / PROBE_NAME
        shutil.copyfile(PROBE_SOURCE, work / PROBE_NAME)
        probe_files = [pkg_dir / PROBE_NAME]
        if _target_goos() == "linux":
            overlay[pkg_dir / PROC_NAME] = work / PROC_NAME
            shutil.copyfile(PROC_SOURCE, work / PROC_NAME)
            probe_files.append(pkg_dir / PROC_NAME)
        ldflags = []
        if use_hook:  # Go 1.23+ whose exit-hook API is the one the probe copies
            overlay[pkg_dir / EXITHOOK_NAME] = work / EXITHOOK_NAME
            shutil.copyfile(EXITHOOK_SOURCE, work / EXITHOOK_NAME)
            probe_files.append(pkg_dir / EXITHOOK_NAME)
            ldflags = ["-ldflags=-checklinkname=0"]
        elif main_file is not None:  # no exit hooks (or not as the probe knows them): wrap main
            overlay[pkg_dir / MAIN_NAME] = work / MAIN_NAME
            shutil.copyfile(MAIN_SOURCE, work / MAIN_NAME)
            probe_files.append(pkg_dir / MAIN_NAME)
            renamed = _MAIN_RE.sub(f"func {USER_MAIN}()", main_file.read_text(), count=1)
            (work / ("main_" + main_file.name)).write_text(renamed)
            overlay[main_file] = work / ("main_" + main_file.name)
        _write_overlay(work, overlay)
        out_bin = work / "prog"
        if path.is_file():
            args, cwd = [str(path), *map(str, probe_files)], path.parent
        else:
            args, cwd = ["."], path
        res = go.run("build", "-overlay", str(work / "overlay.json"), *ldflags, "-o", str(out_bin), *args,
                     cwd=cwd, timeout=600)
        if res.returncode != 0:
            if main_file is None and "function main is undeclared" in res.stderr:
                raise TargetError(f"{target}: package main has no func main")
            raise BuildError(_build_messages(res.stderr, work, pkg_dir), str(target))
        main_file = main_file or pkg_dir  # a main the pattern did not find (Go found it)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
        shutil.copyfile(out_bin, tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, cached)  # atomic: parallel builds of the same program are safe
        _memo_write(go, path, pkgs, key, str(target), pkg_dir, main_file)
        return Binary(cached, str(target), pkg_dir, main_file, go, False, notes)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_overlay(work: Path, overlay: dict[Path, Path]) -> None:
    (work / "overlay.json").write_text(json.dumps({"Replace": {str(k): str(v) for k, v in overlay.items()}}))


def _build_messages(stderr: str, work: Path, pkg_dir: Path) -> list[str]:
    """Go's own file:line messages, with overlay paths mapped back to the user's files."""
    msgs = []
    for line in stderr.splitlines():
        # Go names overlaid files by their replacement path: show the user's own file instead.
        # (Go may print that path absolute or relative to the package folder.)
        line = re.sub(r"(?:\S*/)?" + re.escape(work.name) + r"/main_", "", line).replace(str(pkg_dir) + "/", "")
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("./"):
            line = line[2:]
        msgs.append(line.strip())
    picked = [m for m in msgs if _GO_MSG_RE.match(m)] or msgs
    return picked

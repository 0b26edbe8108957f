"""Building with the probe: user files untouched, errors in Go's own words."""

import hashlib
import subprocess
from pathlib import Path

import pytest

from harness.build import build
from harness.errors import BuildError, TargetError

PROG = {"main.go": """
    package main

    import "fmt"

    func main() { fmt.Println("hello") }
"""}


def _run(binary, go, **env) -> str:
    """A built program's stdout, run with the toolchain's environment (and `env`)."""
    return subprocess.run([str(binary)], capture_output=True, text=True, env=go.env(env)).stdout


def _digest(d):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


def test_builds_unmodified_package_with_probe(gomod, go, no_leftovers):
    d = gomod(PROG)
    before = _digest(d)
    b = build(d, go, use_cache=False)
    assert b.path.exists() and b.main_file.name == "main.go"
    assert _digest(d) == before, "the user's files must never change"
    syms = go.run("tool", "nm", str(b.path)).stdout
    assert "main.(*leaklabProbeState).finish" in syms


def test_the_programs_main_runs_as_itself_in_the_same_frame_as_without_the_probe(gomod, go, tmp_path):
    """With Go 1.23+ the probe captures the end state from an exit hook: the program's main is
    not renamed or wrapped, so stacks name it main.main and it runs at the same stack depth and
    offset as in a plain build (what a CPU-bound loop's speed can depend on)."""
    d = gomod({"main.go": """
        package main

        import (
            "fmt"
            "runtime"
            "unsafe"
        )

        func main() {
            var local [8]byte
            pc := make([]uintptr, 64)
            n := runtime.Callers(1, pc)
            f, _ := runtime.CallersFrames(pc[:n]).Next()
            fmt.Println(f.Function, n, uintptr(unsafe.Pointer(&local))%4096)
        }
    """})
    plain = tmp_path / "plain"
    assert go.run("build", "-o", str(plain), ".", cwd=d).returncode == 0
    b = build(d, go, use_cache=False)
    want = _run(plain, go).split()
    out = tmp_path / "run"
    out.mkdir()
    for extra in ({}, {"LEAKLAB_DIR": str(out)}):  # silent, and sampling
        got = _run(b.path, go, **extra).split()
        assert got == want and want[0] == "main.main", (got, want)
    assert '"event":"end"' in (out / "metrics.jsonl").read_text(), "the exit hook captured the end"
    assert "leaklabUserMain" not in go.run("tool", "nm", str(b.path)).stdout


def test_cache_returns_same_binary_until_source_changes(gomod, go):
    d = gomod(PROG)
    first = build(d, go)
    again = build(d, go)
    assert again.cached and again.path == first.path
    (d / "main.go").write_text((d / "main.go").read_text().replace("hello", "changed"))
    assert not build(d, go).cached


def test_unchanged_sources_skip_go_list_and_any_change_rebuilds(gomod, go, monkeypatch):
    import importlib
    import os
    import time

    hb = importlib.import_module("harness.build")
    d = gomod({"main.go": 'package main\n\nimport (\n\t"fmt"\n\t"example.com/prog/lib"\n)\n\n'
                          'func main() { fmt.Println(lib.Word()) }\n',
               "lib/lib.go": 'package lib\n\nfunc Word() string { return "aaaa" }\n'})
    old = time.time() - 10
    for f in [d, *d.rglob("*")]:
        os.utime(f, (old, old))
    first = build(d, go)
    calls = []
    real = hb._go_list
    monkeypatch.setattr(hb, "_go_list", lambda *a, **k: calls.append(a) or real(*a, **k))
    again = build(d, go)
    assert again.cached and again.path == first.path and not calls, "no go list for unchanged sources"
    # An edit of the same size and time stamp in another package of the module is seen.
    (d / "lib" / "lib.go").write_text('package lib\n\nfunc Word() string { return "bbbb" }\n')
    os.utime(d / "lib" / "lib.go", (old, old))
    changed = build(d, go)
    assert calls and not changed.cached and changed.path != first.path
    (d.parent / "run").mkdir()
    out = subprocess.run([str(changed.path)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "LEAKLAB_DIR": str(d.parent / "run")})
    assert "bbbb" in out.stdout
    # A new file that only build tags had left out changes the folder: rebuilt too.
    calls.clear()
    build(d, go)
    assert not calls
    (d / "lib" / "extra.go").write_text("//go:build ignore\n\npackage lib\n")
    build(d, go)
    assert len(calls) == 1


def test_two_threads_building_the_same_program_share_one_build(gomod, go, tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor
    monkeypatch.setenv("LEAKLAB_CACHE", str(tmp_path / "cache"))  # nothing cached yet
    d = gomod(PROG)
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda _: build(d, go), range(2))
    assert a.path == b.path and a.path.exists()
    assert [a.cached, b.cached].count(False) == 1, "one built it, the other found it built"


def test_single_file_outside_module(tmp_path, go):
    f = tmp_path / "one.go"
    f.write_text("package main\n\nfunc main() {}\n")
    assert build(f, go, use_cache=False).path.exists()


def test_compile_error_carries_go_file_line(gomod, go, no_leftovers):
    d = gomod({"main.go": "package main\n\nfunc main() {\n\tundefinedThing()\n}\n"})
    with pytest.raises(BuildError) as err:
        build(d, go, use_cache=False)
    assert any(m.startswith("main.go:4:") and "undefined" in m for m in err.value.messages), err.value.messages
    assert "main.go:4" in str(err.value)


def test_not_main_package(gomod, go):
    d = gomod({"lib.go": "package lib\n\nfunc F() {}\n"})
    with pytest.raises(TargetError, match="not a main package"):
        build(d, go)


def test_package_main_without_func_main(gomod, go):
    d = gomod({"main.go": "package main\n\nfunc helper() {}\n"})
    with pytest.raises(TargetError, match="package main has no func main"):
        build(d, go, use_cache=False)


def test_an_unformatted_func_main_is_found_and_its_end_captured(gomod, go, tmp_path):
    d = gomod({"main.go": 'package main\n\nimport "fmt"\n\nfunc  main ( ) { fmt.Println("hello") }\n'})
    b = build(d, go, use_cache=False)
    assert b.main_file.name == "main.go"
    assert _run(b.path, go, LEAKLAB_DIR=str(tmp_path)).strip() == "hello"
    assert '"event":"end"' in (tmp_path / "metrics.jsonl").read_text()


def test_missing_path(tmp_path, go):
    with pytest.raises(TargetError, match="no such file"):
        build(tmp_path / "missing", go)


def test_old_toolchain_builds_module_asking_for_newer_go(gomod, tmp_path):
    from harness.toolchain import go_for
    old = go_for("1.22")
    d = gomod(PROG)
    b = build(d, old, use_cache=False)
    assert b.go.major_minor == (1, 22) and b.path.exists()
    assert b.notes == (), "no exit hooks before Go 1.23: the wrapped main is expected, no note"
    assert "go 1.27" in (d / "go.mod").read_text()
    # no exit hooks before Go 1.23: the probe's main runs the program's, renamed, then captures the end
    assert _run(b.path, old, LEAKLAB_DIR=str(tmp_path)).strip() == "hello"
    assert '"event":"end"' in (tmp_path / "metrics.jsonl").read_text()


# --- the runtime's exit-hook API is checked before the probe links to it ----------------------

SWAPPED = ("\tF            func() // func to run\n\tRunOnFailure bool   // whether to run on non-zero exit code\n",
           "\tRunOnFailure bool   // whether to run on non-zero exit code\n\tF            func() // func to run\n")


def _hooks_go(go) -> str:
    from harness.build import EXITHOOK_API
    return (Path(go.root) / EXITHOOK_API).read_text()


def _fake_root(go, dst: Path, hooks: str | None, toolchain: bool = False):
    """A Go whose GOROOT is `dst`: the real one's files (symlinked; with `toolchain`, a copy of
    bin/go too, so that it runs from there) except hooks.go, which holds `hooks` (None: absent)."""
    import os
    import shutil
    from harness.build import EXITHOOK_API
    from harness.toolchain import Go
    real, keep = Path(go.root), EXITHOOK_API.parent

    def mirror(src: Path, out: Path, rel: Path):
        out.mkdir(parents=True, exist_ok=True)
        for e in os.scandir(src):
            r = rel / e.name
            if r == keep:
                (out / e.name).mkdir()
                for f in os.scandir(e.path):
                    if f.name != EXITHOOK_API.name:
                        shutil.copyfile(f.path, out / e.name / f.name)
                if hooks is not None:
                    (out / e.name / EXITHOOK_API.name).write_text(hooks)
            elif r == Path("bin") and toolchain:
                (out / "bin").mkdir()
                for b in os.scandir(e.path):
                    try:
                        os.link(b.path, out / "bin" / b.name)  # Go finds its GOROOT from its own path
                    except OSError:
                        shutil.copy2(b.path, out / "bin" / b.name)
            elif e.is_dir(follow_symlinks=False) and keep.is_relative_to(r):
                mirror(Path(e.path), out / e.name, r)
            elif toolchain:
                os.symlink(e.path, out / e.name)

    mirror(real, dst, Path())
    return Go(path=str(dst / "bin" / "go"), version=go.version, major_minor=go.major_minor, root=str(dst))


def test_the_exit_hook_api_check_compares_the_runtimes_declaration_with_the_probes_copy(go, tmp_path, caplog):
    from harness.build import _uses_exit_hook, exit_hook_mismatch
    assert exit_hook_mismatch(go) is None, "the lab's Go has the exit-hook API the probe copies"
    assert _uses_exit_hook(go) == (True, ())
    src = _hooks_go(go)
    assert SWAPPED[0] in src
    cases = {
        "swapped": (src.replace(*SWAPPED), "exithook.Hook is {RunOnFailure bool; F func()}, the probe copies {F func(); RunOnFailure bool}"),
        "added": (src.replace("\tRunOnFailure bool", "\tName string\n\tRunOnFailure bool"), "exithook.Hook is {F func(); Name string; RunOnFailure bool}"),
        "retyped": (src.replace("F            func()", "F            func() error"), "exithook.Hook is {F func()error;"),
        "add": (src.replace("func Add(h Hook) {", "func Add(h Hook, name string) {"), "exithook.Add is func Add(Hook, string)"),
        "returns": (src.replace("func Add(h Hook) {", "func Add(h Hook) int {"), "exithook.Add is func Add(Hook) int"),
        "renamed": (src.replace("type Hook struct", "type ExitHook struct"), "exithook.Hook is {}"),
        "missing": (None, "has no $GOROOT/src/internal/runtime/exithook/hooks.go"),
    }
    comments_only = _fake_root(go, tmp_path / "comments", src.replace("// func to run", "// the function"))
    assert exit_hook_mismatch(comments_only) is None, "comments do not change the API"
    for name, (hooks, says) in cases.items():
        caplog.clear()
        fake = _fake_root(go, tmp_path / name, hooks)
        note = exit_hook_mismatch(fake)
        assert note and says in note and "\n" not in note, (name, note)
        assert "wraps the program's main instead" in note and "leaklab_exithook.go" in note
        assert exit_hook_mismatch(fake) == note and not caplog.records
        for _ in range(2):  # what a build does
            assert _uses_exit_hook(fake) == (False, (note,))
        assert [r.getMessage() for r in caplog.records] == [note], "said once per toolchain, as a warning"


@pytest.mark.slow  # the first run compiles the standard library against the changed runtime (then cached)
def test_a_toolchain_whose_exit_hook_differs_gets_the_wrapped_main_and_a_note(go, gomod, tmp_path, no_leftovers):
    from harness.measure import RunOptions, measure
    d = gomod({"main.go": """
        package main

        import "fmt"

        func main() {
            go func() { <-make(chan int) }()
            fmt.Println("hello")
        }
    """})
    real = build(d, go, use_cache=False)
    syms = go.run("tool", "nm", str(real.path)).stdout
    assert real.notes == () and "leaklabUserMain" not in syms, "the exit hook, main as it is"

    fake = _fake_root(go, tmp_path / "goroot", _hooks_go(go).replace(*SWAPPED), toolchain=True)
    assert fake.run("env", "GOROOT").stdout.strip() == str(tmp_path / "goroot")
    b = build(d, fake, use_cache=False)
    assert len(b.notes) == 1 and "{RunOnFailure bool; F func()}" in b.notes[0], b.notes
    syms = fake.run("tool", "nm", str(b.path)).stdout
    assert "main.leaklabUserMain" in syms, "the program's main renamed and wrapped by the probe's"
    assert build(d, fake).notes == b.notes, "a cached build says it too"
    r = measure(b, options=RunOptions(duration=10))
    assert r.exit == "exited" and r.final is not None and r.stdout_tail.strip() == "hello"
    assert [(s.function, s.wait_reason, s.created_by_function) for s in r.sites] == \
        [("main.main.func1", "chan receive", "main.main")], r.sites
    assert r.sites[0].proven, "the end state was captured after main returned (goroutineleak profile)"

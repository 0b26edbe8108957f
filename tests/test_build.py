"""Building with the probe: user files untouched, errors in Go's own words."""

import hashlib

import pytest

from harness.build import build
from harness.errors import BuildError, TargetError

PROG = {"main.go": """
    package main

    import "fmt"

    func main() { fmt.Println("hello") }
"""}


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


def test_cache_returns_same_binary_until_source_changes(gomod, go):
    d = gomod(PROG)
    first = build(d, go)
    again = build(d, go)
    assert again.cached and again.path == first.path
    (d / "main.go").write_text((d / "main.go").read_text().replace("hello", "changed"))
    assert not build(d, go).cached


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


def test_missing_path(tmp_path, go):
    with pytest.raises(TargetError, match="no such file"):
        build(tmp_path / "missing", go)


def test_old_toolchain_builds_module_asking_for_newer_go(gomod):
    from harness.toolchain import go_for
    old = go_for("1.22")
    d = gomod(PROG)
    b = build(d, old, use_cache=False)
    assert b.go.major_minor == (1, 22) and b.path.exists()
    assert "go 1.27" in (d / "go.mod").read_text()

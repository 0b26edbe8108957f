"""`go vet` and `go test` on the lab's samples, as plain results for notebooks and tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .samples import samples_dir, scenario_dir
from .toolchain import Go, go_for

_VET_RE = re.compile(r"^(?:\./)?(?P<file>[^\s:]+\.go):(?P<line>\d+):(?:(?P<col>\d+):)? (?P<msg>.*)$")


@dataclass
class GoToolResult:
    command: str
    passed: bool
    output: str
    findings: list[dict]       # go vet: file, line, message


def go_vet(scenario: str, go: Go | None = None) -> GoToolResult:
    """`go vet` on one sample; findings parsed as file/line/message."""
    go = go or go_for(None)
    res = go.run("vet", f"./{scenario}/", cwd=samples_dir(), timeout=300)
    out = (res.stdout + res.stderr).strip()
    findings = []
    for line in out.splitlines():
        m = _VET_RE.match(line.strip())
        if m:
            findings.append({"file": m.group("file").split("/")[-1], "line": int(m.group("line")),
                             "message": m.group("msg")})
    return GoToolResult(f"go vet ./{scenario}/", res.returncode == 0, out, findings)


def go_test(scenario: str, run: str | None = None, env: dict[str, str] | None = None,
            go: str | None = None, verbose: bool = True) -> GoToolResult:
    """`go test` on one sample (optionally `-run REGEX`), with its real output."""
    toolchain = go_for(go)
    scenario_dir(scenario)  # unknown sample -> one clear line
    args = ["test", "-count=1"] + (["-v"] if verbose else []) + (["-run", run] if run else []) + [f"./{scenario}/"]
    res = toolchain.run(*args, cwd=samples_dir(), timeout=600, extra_env=env)
    return GoToolResult("go " + " ".join(args), res.returncode == 0, (res.stdout + res.stderr).strip(), [])

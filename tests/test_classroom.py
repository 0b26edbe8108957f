"""Offline use, the hub/Binder set-up, and the notebook stop button."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT
from harness.samples import samples_dir


def _offline_prefix() -> list[str]:
    """Run a command in a new network namespace with only loopback up (needs root + iproute2)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return []
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"] if probe.returncode == 0 else []


@pytest.mark.slow  # test_go_samples runs the same tests online
def test_go_test_offline(go):
    prefix = _offline_prefix()
    env = {**go.env(), "GOPROXY": "off", "GOFLAGS": "-mod=mod"}
    res = subprocess.run([*prefix, go.path, "test", "-count=1", "./..."], cwd=samples_dir(),
                         env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    if not prefix:
        pytest.skip("ran with GOPROXY=off only: no network namespace here (needs root, unshare, ip)")


@pytest.mark.notebook
def test_a_lab_runs_offline(tmp_path):
    prefix = _offline_prefix()
    if not prefix:
        pytest.skip("no network namespace here (needs root, unshare and ip)")
    code = textwrap.dedent(f"""
        import papermill as pm
        pm.execute_notebook({str(ROOT / 'labs' / '01_goroutine_channel.ipynb')!r}, {str(tmp_path / 'out.ipynb')!r},
                            parameters={{"quick": True}}, cwd={str(ROOT / 'labs')!r}, progress_bar=False,
                            kernel_name="python3")
    """)
    env = {**os.environ, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "LEAKLAB_NO_PROGRESS": "1"}
    res = subprocess.run([*prefix, sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert (tmp_path / "out.ipynb").exists()


def test_binder_and_devcontainer_point_at_the_lab():
    import json
    assert "-r ../requirements.txt" in (ROOT / "binder" / "requirements.txt").read_text()
    dc = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    assert dc["postCreateCommand"] == "make setup"


@pytest.mark.notebook
def test_stop_button_leaves_nothing_running():
    """Interrupt the kernel mid-run, as the notebook's stop button does."""
    import time
    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "labs"))
    try:
        kc.execute_interactive("import harness as lab, harness.supervise as hr", timeout=60)
        msg_id = kc.execute("r = lab.run('goroutine_channel', 'leaky', 30)")
        time.sleep(3)
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=60)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=60)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "Stopped"
        check = kc.execute_interactive(
            "import tempfile, pathlib", timeout=60,
            user_expressions={"state": "(len(hr._started), hr.started_alive(), sorted(p.name for p in "
                                       "pathlib.Path(tempfile.gettempdir()).glob('leaklab-run-*')))"})
        expr = check["content"]["user_expressions"]["state"]
        assert expr["status"] == "ok", expr
        state = expr["data"]["text/plain"]
        assert state == "(1, [], [])", f"(runs started, still alive, temp dirs left) = {state}"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)

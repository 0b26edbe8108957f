"""Headless lab runs' kernels. Those forked from the zygote behave like kernels started the usual
way: the folder and environment asked for, inline figures, interrupts, shutdown, and no process
or socket file left behind, even when the zygote itself is killed. Ctrl-C during a run stops it
at once and leaves nothing behind."""

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tools.kernels import PROVISIONER, ZYGOTE_ENV, KernelZygote, ipc_kernel_manager, request_kernel
from harness.supervise import alive

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the zygote runs on Linux only")


async def _execute(kc, code: str, timeout: float = 60) -> list[dict]:
    """Run `code`; the iopub messages it produced, up to the kernel going idle."""
    msg_id = kc.execute(code)
    msgs = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        msg = await kc.get_iopub_msg(timeout=end - time.monotonic())
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return msgs
    raise AssertionError(f"no idle after {timeout} s: {code!r}")


def _stdout(msgs):
    return "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")


async def _start(cwd, env=None):
    km = ipc_kernel_manager()(kernel_name="python3")
    await km.start_kernel(cwd=str(cwd), **({"env": env} if env else {}))
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


async def _kernel_pid(km) -> int:
    return (await km.provisioner.get_provisioner_info())["pid"]


def _leftover_sockets(before):
    return sorted(set(Path(tempfile.gettempdir()).glob("leaklab-*")) - before)


def test_forked_kernel_runs_as_asked_and_ends_cleanly(tmp_path, monkeypatch):
    before = set(Path(tempfile.gettempdir()).glob("leaklab-*"))

    async def scenario(zygote):
        km, kc = await _start(tmp_path, env={**os.environ, "LEAKLAB_TEST_MARK": "forked"})
        assert type(km.provisioner).__name__ == "ForkProvisioner"
        pid = await _kernel_pid(km)
        out = _stdout(await _execute(kc, "import os, sys\n"
                                         "print(os.getppid(), os.getcwd(), os.environ['LEAKLAB_TEST_MARK'],"
                                         " os.getpgid(0) == os.getpid(), 'harness' in sys.modules)"))
        assert out.split() == [str(zygote.proc.pid), str(tmp_path), "forked", "True", "True"]

        # A figure reaches the notebook as an image, as with the inline backend in any kernel.
        msgs = await _execute(kc, "import matplotlib.pyplot as plt\nplt.plot([0, 1, 0])\nplt.show()")
        assert any("image/png" in m["content"].get("data", {}) for m in msgs if m["msg_type"] == "display_data")

        # The stop button: a long cell ends with KeyboardInterrupt, and the kernel lives on.
        # Interrupted once its code runs: ipykernel ignores SIGINT until then (even once "busy").
        # Not stopping on its error: else a cell sent right after it may be aborted, unrun.
        msg_id = kc.execute("import time\nprint('sleeping', flush=True)\ntime.sleep(60)",
                            stop_on_error=False)
        while (await kc.get_iopub_msg(timeout=30))["content"].get("text") != "sleeping\n":
            pass
        t0 = time.monotonic()
        await km.interrupt_kernel()
        reply = await kc.get_shell_msg(timeout=30)
        while reply["parent_header"]["msg_id"] != msg_id:  # replies to the cells before
            reply = await kc.get_shell_msg(timeout=30)
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert time.monotonic() - t0 < 10
        assert _stdout(await _execute(kc, "print(6 * 7)")).strip() == "42"

        kc.stop_channels()
        await km.shutdown_kernel()
        assert not alive(pid)

    with KernelZygote() as zygote:
        monkeypatch.setenv(ZYGOTE_ENV, zygote.path)
        asyncio.run(scenario(zygote))
        assert zygote.proc.poll() is None  # serves the next lab
    assert zygote.proc.returncode is not None
    assert _leftover_sockets(before) == []


def test_provisioner_is_registered_and_chosen_only_while_a_zygote_runs(monkeypatch):
    """The zygote reaches jupyter_client through its documented extension point: a provisioner
    registered as an entry point (pyproject.toml; a stale install needs `pip install -e .`),
    named in the kernel spec's metadata only during headless runs; JupyterLab's spec is untouched."""
    from importlib.metadata import entry_points

    from jupyter_client.kernelspec import KernelSpecManager
    (ep,) = entry_points(group="jupyter_client.kernel_provisioners", name=PROVISIONER)
    assert ep.load().__name__ == "ForkProvisioner"
    km = ipc_kernel_manager()(kernel_name="python3")
    monkeypatch.delenv(ZYGOTE_ENV, raising=False)
    assert "kernel_provisioner" not in km.kernel_spec_manager.get_kernel_spec("python3").metadata
    monkeypatch.setenv(ZYGOTE_ENV, "/nonexistent")
    spec = km.kernel_spec_manager.get_kernel_spec("python3")
    assert spec.metadata["kernel_provisioner"]["provisioner_name"] == PROVISIONER
    assert spec.argv == KernelSpecManager().get_kernel_spec("python3").argv
    assert "kernel_provisioner" not in KernelSpecManager().get_kernel_spec("python3").metadata


def test_the_zygote_takes_the_specs_interpreter_options_and_declines_other_kernels_saying_why(monkeypatch):
    """ipykernel 7.4 put `-Xfrozen_modules=off` into the kernel spec, and every kernel quietly
    stopped being forked: the zygote now starts with the spec's options, and a kernel it cannot
    fork is refused with the reason, which the provisioner logs."""
    from tools.kernels import kernel_command
    argv = kernel_command("python3")
    options = argv[1:argv.index("-m")]
    with KernelZygote() as zygote:
        monkeypatch.setenv(ZYGOTE_ENV, zygote.path)
        assert zygote.proc.args[1:1 + len(options) + 2] == [*options, "-m", "tools.kernels"]
        other = [sys.executable, *options, "-X", "dev", "-m", "ipykernel_launcher", "-f", "k.json"]
        pid, why = request_kernel(other, dict(os.environ), os.getcwd())
        assert pid is None and "interpreter options" in why, why
        pid, why = request_kernel(["/bin/sh", "-c", "true"], dict(os.environ), os.getcwd())
        assert pid is None and why.startswith("not ipykernel"), why
    monkeypatch.delenv(ZYGOTE_ENV)
    assert request_kernel(argv, dict(os.environ), os.getcwd()) == (None, "")


def test_kernels_end_with_their_zygote(tmp_path, monkeypatch):
    """If the zygote dies (killed, out of memory), its kernels follow within a couple of seconds
    instead of running on unowned; later kernels start the usual way."""
    before = set(Path(tempfile.gettempdir()).glob("leaklab-*"))

    async def scenario(zygote):
        km, kc = await _start(tmp_path)
        pid = await _kernel_pid(km)
        assert _stdout(await _execute(kc, "import os; print(os.getppid())")).strip() == str(zygote.proc.pid)
        zygote.proc.kill()
        zygote.proc.wait()
        end = time.monotonic() + 10
        while alive(pid) and time.monotonic() < end:
            await asyncio.sleep(0.1)
        assert not alive(pid), "kernel outlived its zygote"
        kc.stop_channels()
        await km.shutdown_kernel(now=True)

        km2, kc2 = await _start(tmp_path)  # refused at once, so started as a plain child
        assert _stdout(await _execute(kc2, "import os; print(os.getppid())")).strip() == str(os.getpid())
        kc2.stop_channels()
        await km2.shutdown_kernel()

    with KernelZygote() as zygote:
        monkeypatch.setenv(ZYGOTE_ENV, zygote.path)
        asyncio.run(scenario(zygote))
    assert _leftover_sockets(before) == []


def _marked(marker: str) -> list[tuple[int, str]]:
    """Processes whose environment carries `marker` (everything a run below started), but not
    this test's own."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if marker.encode() not in f.read():
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found.append((int(entry), f.read().replace(b"\0", b" ").decode(errors="replace")))
        except OSError:
            continue
    return found


def test_ctrl_c_stops_a_headless_lab_run_at_once(tmp_path):
    """Ctrl-C in the terminal during `make run-all` / `make test`: the running notebooks stop as with
    the stop button (their Go programs are killed and their files removed), no queued notebook
    starts, and nothing of the run is left: no kernel, zygote, worker or program, no temp file."""
    import shutil
    import signal
    import subprocess
    import uuid

    import nbformat
    marker = f"LEAKLAB_TEST_RUN=ctrlc-{uuid.uuid4().hex}"
    notebooks = []
    for i in range(3):  # two run at once, the third waits for a free worker
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(
            "from harness.samples import run_sample\nrun_sample('goroutine_channel', 'leaky', duration=60)")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebooks.append(tmp_path / f"{i}_long.ipynb")
        nbformat.write(nb, notebooks[-1])
    tmpdir = tempfile.mkdtemp(prefix="lk-")  # short: kernel socket paths must stay under 107 bytes
    script = ("import sys\nfrom pathlib import Path\nfrom tools.run_labs import execute_labs\n"
              f"execute_labs([Path(p) for p in {[str(n) for n in notebooks]!r}], Path({str(tmp_path / 'out')!r}),"
              " jobs=2, report=lambda *r: print(*r, flush=True))\n")
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1], "TMPDIR": tmpdir}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        end = time.monotonic() + 120
        while sum("goroutine_channel" in cmd or "/prog " in cmd for _, cmd in _marked(marker)) < 2:
            assert proc.poll() is None and time.monotonic() < end, "the two programs never started"
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        t0 = time.monotonic()
        out, err = proc.communicate(timeout=60)
        stopped_s = time.monotonic() - t0
        assert stopped_s < 20, f"took {stopped_s:.0f} s to stop (the programs run 60 s)"
        assert "Task exception was never retrieved" not in err
        assert not (tmp_path / "out" / "2_long.ipynb").exists(), "a queued notebook started after Ctrl-C"
        end = time.monotonic() + 5  # kernels notice their zygote is gone within a second
        while _marked(marker) and time.monotonic() < end:
            time.sleep(0.2)
        assert _marked(marker) == []
        assert os.listdir(tmpdir) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid, _ in _marked(marker):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(tmpdir, ignore_errors=True)

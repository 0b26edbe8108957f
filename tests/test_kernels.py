"""Kernels forked from the zygote (headless lab runs) behave like kernels started the usual way:
the folder and environment asked for, inline figures, interrupts, shutdown, and no process or
socket file left behind, even when the zygote itself is killed."""

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from harness.kernels import ZYGOTE_ENV, KernelZygote, _alive, ipc_kernel_manager

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


def _leftover_sockets(before):
    return sorted(set(Path(tempfile.gettempdir()).glob("leaklab-*")) - before)


def test_forked_kernel_runs_as_asked_and_ends_cleanly(tmp_path, monkeypatch):
    before = set(Path(tempfile.gettempdir()).glob("leaklab-*"))

    async def scenario(zygote):
        km, kc = await _start(tmp_path, env={**os.environ, "LEAKLAB_TEST_MARK": "forked"})
        assert type(km.provisioner).__name__ == "ForkProvisioner"
        pid = km.provisioner.pid
        out = _stdout(await _execute(kc, "import os, sys\n"
                                         "print(os.getppid(), os.getcwd(), os.environ['LEAKLAB_TEST_MARK'],"
                                         " os.getpgid(0) == os.getpid(), 'harness' in sys.modules)"))
        assert out.split() == [str(zygote.proc.pid), str(tmp_path), "forked", "True", "True"]

        # A figure reaches the notebook as an image, as with the inline backend in any kernel.
        msgs = await _execute(kc, "import matplotlib.pyplot as plt\nplt.plot([0, 1, 0])\nplt.show()")
        assert any("image/png" in m["content"].get("data", {}) for m in msgs if m["msg_type"] == "display_data")

        # The stop button: a long cell ends with KeyboardInterrupt, and the kernel lives on.
        msg_id = kc.execute("import time\ntime.sleep(60)")
        while (await kc.get_iopub_msg(timeout=30))["content"].get("execution_state") != "busy":
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
        assert not _alive(pid)

    with KernelZygote() as zygote:
        monkeypatch.setenv(ZYGOTE_ENV, zygote.path)
        asyncio.run(scenario(zygote))
        assert zygote.proc.poll() is None  # serves the next lab
    assert zygote.proc.returncode is not None
    assert _leftover_sockets(before) == []


def test_kernels_end_with_their_zygote(tmp_path, monkeypatch):
    """If the zygote dies (killed, out of memory), its kernels follow within a couple of seconds
    instead of running on unowned; later kernels start the usual way."""
    before = set(Path(tempfile.gettempdir()).glob("leaklab-*"))

    async def scenario(zygote):
        km, kc = await _start(tmp_path)
        pid = km.provisioner.pid
        assert _stdout(await _execute(kc, "import os; print(os.getppid())")).strip() == str(zygote.proc.pid)
        zygote.proc.kill()
        zygote.proc.wait()
        end = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < end:
            await asyncio.sleep(0.1)
        assert not _alive(pid), "kernel outlived its zygote"
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

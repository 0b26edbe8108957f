"""The kernel provisioner `leaklab-zygote` (registered in pyproject.toml under jupyter_client's
entry point group `jupyter_client.kernel_provisioners`): kernels for headless runs forked from the
zygote (`kernels.KernelZygote`). Its own module, so that importing the harness does not import
jupyter_client; jupyter_client loads it when a kernel spec names it (`kernels.ipc_kernel_manager`).
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from .kernels import ForkedKernel, request_kernel


class ForkProvisioner(LocalProvisioner):
    """The kernel provisioner `leaklab-zygote`: jupyter_client's LocalProvisioner (connection
    file, command line, environment, clean-up), whose kernel comes from the zygote when there is
    one: same command, folder and environment. Otherwise it is LocalProvisioner exactly.

    It overrides only the provisioner API (`launch_kernel`, `has_process`, `poll`, `wait`,
    `send_signal`, `kill`, `terminate`, `resolve_path`, `get_provisioner_info`), answering for
    a forked kernel itself and leaving everything else to LocalProvisioner."""

    forked: ForkedKernel | None = None

    async def launch_kernel(self, cmd, **kwargs):
        self.forked = None
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid, why = await asyncio.to_thread(request_kernel, cmd, kwargs.get("env") or dict(os.environ), cwd)
        if pid is None:  # no zygote, or not a kernel it can fork: start it the usual way
            if why:  # a zygote runs, so this costs each kernel its imports again: say why
                self.log.warning("Go Leak Lab: kernel started without the zygote: %s", why)
            return await super().launch_kernel(cmd, **kwargs)
        self.forked = ForkedKernel(pid, cwd)
        return self.connection_info

    @property
    def has_process(self) -> bool:
        return self.forked is not None or super().has_process

    async def poll(self):
        return self.forked.poll() if self.forked else await super().poll()

    async def wait(self):
        if not self.forked:
            return await super().wait()
        while self.forked.poll() is None:  # callers bound this with a timeout, as with LocalProvisioner
            await asyncio.sleep(0.1)
        code, self.forked = self.forked.returncode, None  # has_process is False from now on
        return code

    async def send_signal(self, signum: int) -> None:
        if not self.forked:
            return await super().send_signal(signum)
        self.forked.signal(signum)

    async def kill(self, restart: bool = False) -> None:
        if not self.forked:
            return await super().kill(restart)
        try:
            self.forked.signal(signal.SIGKILL)
        except ProcessLookupError:  # already gone
            pass

    async def terminate(self, restart: bool = False) -> None:
        if not self.forked:
            return await super().terminate(restart)
        try:
            self.forked.signal(signal.SIGTERM)
        except ProcessLookupError:
            pass

    def resolve_path(self, path_str: str) -> str | None:
        if not self.forked:
            return super().resolve_path(path_str)
        path = (Path(self.forked.cwd) / Path(path_str).expanduser()).resolve()
        return path.as_posix() if path.exists() else None

    async def get_provisioner_info(self) -> dict:
        info = await super().get_provisioner_info()
        if self.forked:
            info.update({"pid": self.forked.pid, "pgid": self.forked.pid})
        return info

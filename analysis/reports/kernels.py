"""The kernel manager the reports run on (IPC sockets, this interpreter, dying with its
worker) and how to tell a kernel that failed to start from a notebook that failed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid
from typing import Any

#: Run before a kernel: arm the parent-death signal (Linux), then exec the kernel itself
#: (the signal survives exec). argv: expected parent pid, then the kernel command. Where
#: prctl is missing, ipykernel's own parent poller ends a kernel whose worker is gone.
_LAUNCHER = (
    "import ctypes,os,signal,sys\n"
    "try:\n"
    "    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)\n"
    "except Exception:\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(1)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def _die_with_worker(cmd: list[str]) -> list[str]:
    """The kernel command wrapped so the kernel dies with the worker that starts it."""
    if not sys.platform.startswith("linux"):
        return cmd
    return [sys.executable, "-S", "-c", _LAUNCHER, str(os.getpid()), *cmd]


def _kernel_manager_class():
    """An AsyncKernelManager over IPC sockets with unique names, running this interpreter.

    IPC transport: each kernel's five channels are Unix sockets named
    ``<tmp>/hfk-<worker pid>-<random>-<n>``, so parallel launches cannot collide (TCP
    ports are picked by binding port 0, closing it and handing the number to the kernel:
    two launches can get the same port, papermill #511). A ``python3`` kernel is started
    with ``sys.executable`` so it always runs in the same environment as hipflex, through a
    launcher that arms the parent-death signal (:func:`_die_with_worker`): a worker killed
    with ``kill -9`` takes its kernel with it.
    """
    from jupyter_client.manager import AsyncKernelManager

    class HipflexKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = os.path.join(
                tempfile.gettempdir(), f"hfk-{os.getpid()}-{uuid.uuid4().hex[:10]}"
            )

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            if "ipykernel_launcher" in cmd or "ipykernel" in cmd:
                cmd[0] = sys.executable
                # no IPython history: nothing of a report's code kept in a shared SQLite
                # file, and no database opened per kernel
                cmd.append("--HistoryManager.enabled=False")
            return _die_with_worker(cmd)

    return HipflexKernelManager


def _is_start_failure(exc: BaseException) -> bool:
    """Whether an exception says the kernel failed to start or to answer at start-up."""
    try:
        import zmq

        if isinstance(exc, zmq.error.ZMQError):
            return True
    except ImportError:  # pragma: no cover
        pass
    msg = str(exc)
    markers = (
        "Kernel died before replying to kernel_info",
        "didn't respond",
        "Address already in use",
        "Kernel didn't respond",
    )
    return isinstance(exc, RuntimeError | TimeoutError | OSError) and any(m in msg for m in markers)

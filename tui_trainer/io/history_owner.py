"""Who is writing a history session, and is that writer still alive?

A session row stores its writer's pid, the process's start time (so a reused pid is not taken
for the writer) and a token of the SqliteSessionLog that writes it (so a same-process reader can
tell a live log from an abandoned one). A "running" session whose writer is gone was cut short.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Tokens of this process's SqliteSessionLogs that are still open.
LIVE_TOKENS: set[str] = set()


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc, or None where there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], fields[19]


def process_start(pid: int) -> str:
    stat = _proc_stat(pid)
    return stat[1] if stat else ""


def owner_alive(pid: int | None, start: str | None, token: str | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid() and (start or "") == process_start(pid):
        return token in LIVE_TOKENS
    if sys.platform == "win32":
        return False  # os.kill(pid, 0) would send CTRL_C_EVENT there; assume the writer is gone
    try:
        os.kill(pid, 0)
    except PermissionError:
        pass  # exists, owned by someone else
    except OSError:
        return False
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): the pid exists, trust it
    state, now_start = stat
    return state not in ("Z", "X") and (not start or now_start == start)

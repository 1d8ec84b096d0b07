"""Faults the history survives: a session cut short, a killed or Ctrl-C'd process, a read-only
data dir, a full disk. Nothing raises into the session; nothing already written is lost."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tui_trainer.core.history.records import SessionInfo, StepRecord
from tui_trainer.io.history_db import HistoryStore
from tui_trainer.io.storage import SqliteSessionLog

INFO = SessionInfo("morning", "Morning flow", "demo", 1000.0)


def rec(index: int, best: float = 80.0) -> StepRecord:
    return StepRecord(index, "tree", "Tree", None, 10.0, 9.0, best, best - 5, True, {"hips": 1})


def only_session(db: Path) -> tuple[str, list[int], float | None]:
    with HistoryStore.open(db) as store:
        [summary] = store.list_sessions()
        detail = store.get_session(summary.id)
        assert detail is not None
        return summary.status, [s.index for s in detail.steps], summary.ended_at


def test_source_stops_mid_session_the_recorded_steps_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    log = SqliteSessionLog(db)
    log.start(INFO)
    log.step(rec(0))
    log.step(rec(1))
    assert log.flush()
    with HistoryStore.open(db) as store:  # while the log lives, the session is running
        assert [s.status for s in store.list_sessions()] == ["running"]
    log.close()  # the session never finished
    status, steps, ended = only_session(db)
    assert (status, steps) == ("interrupted", [0, 1])
    assert ended is not None and ended > INFO.started_at  # ended at its last write


CHILD = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path
    from tui_trainer.core.history.records import SessionInfo, StepRecord
    from tui_trainer.io.storage import SqliteSessionLog

    # Ctrl-C as in a terminal: a test run started in the background (CI, `cmd &`) hands its
    # children SIGINT ignored, and the ctrl-c case would then wait out its timeout.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    log = SqliteSessionLog(Path(sys.argv[1]))
    log.start(SessionInfo("morning", "Morning flow", "demo", 1000.0))
    for i in range(int(sys.argv[2])):
        log.step(StepRecord(i, "tree", "Tree", None, 10.0, 9.0, 80.0, 75.0, True, {}))
    if sys.argv[3] == "wait":
        log.flush()
        print("ready", flush=True)
        time.sleep(60)
    # "exit": leave without finish(); what is queued must still reach the disk
    """
)


def _child(db: Path, steps: int, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(steps), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_process_that_exits_without_finishing_keeps_its_queued_steps(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    proc = _child(db, 3, "exit")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert only_session(db)[:2] == ("interrupted", [0, 1, 2])


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_killed_session_shows_as_interrupted_with_its_step(tmp_path: Path, sig: int) -> None:
    db = tmp_path / "h.db"
    proc = _child(db, 1, "wait")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        # the writer is alive: its session is running, not interrupted
        assert only_session(db)[:2] == ("running", [0])
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode != 0
    assert only_session(db)[:2] == ("interrupted", [0])
    conn = sqlite3.connect(db)  # the next open wrote the status down, not only displayed it
    assert conn.execute("SELECT status FROM sessions").fetchall() == [("interrupted",)]


class FullDisk(sqlite3.Connection):
    """A connection whose step inserts fail like a full disk while `full` is set."""

    full = False

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if FullDisk.full and sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)


@pytest.fixture
def full_disk() -> Iterator[type[FullDisk]]:
    FullDisk.full = False
    yield FullDisk
    FullDisk.full = False


def _connect_full(*args: Any, **kw: Any) -> sqlite3.Connection:
    return sqlite3.connect(*args, factory=FullDisk, **kw)


def test_disk_full_mid_session_warns_and_the_session_goes_on(
    tmp_path: Path, full_disk: type[FullDisk]
) -> None:
    db = tmp_path / "h.db"
    log = SqliteSessionLog(db, connect=_connect_full)
    log.start(INFO)
    log.step(rec(0))
    assert log.flush() and log.warning is None
    full_disk.full = True
    log.step(rec(1))  # must not raise
    assert log.flush()
    assert log.warning is not None
    assert log.warning.startswith("history not saved: database or disk is full")
    full_disk.full = False  # space freed: later steps are saved again
    log.step(rec(2))
    log.finish(False)
    log.close()
    assert only_session(db)[:2] == ("finished", [0, 2])


def test_disk_full_from_the_start_warns_and_nothing_raises(
    tmp_path: Path, full_disk: type[FullDisk]
) -> None:
    db = tmp_path / "h.db"
    full_disk.full = True
    log = SqliteSessionLog(db, connect=_connect_full)
    log.start(INFO)
    log.step(rec(0))
    log.finish(True)
    log.close()
    log.step(rec(1))  # even after close: a warning, no exception
    assert log.warning is not None and "history not saved" in log.warning
    with HistoryStore.open(db) as store:
        assert store.list_sessions() == []


def test_a_data_dir_that_cannot_exist_warns_and_nothing_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data dir should be")
    log = SqliteSessionLog(blocker / "history.db")
    log.start(INFO)
    log.step(rec(0))
    log.finish(False)
    log.close()
    assert log.warning is not None and log.warning.startswith("history not saved:")
    assert str(blocker) in log.warning


READ_ONLY_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from tui_trainer.core.history.records import SessionInfo, StepRecord
    from tui_trainer.io.storage import SqliteSessionLog

    log = SqliteSessionLog(Path(sys.argv[1]))
    log.start(SessionInfo("morning", "Morning flow", "demo", 1000.0))
    log.step(StepRecord(0, "tree", "Tree", None, 10.0, 9.0, 80.0, 75.0, True, {}))
    log.finish(False)
    print(json.dumps({"warning": log.warning}))
    """
)


def _drop_root_file_override() -> None:
    """In the child, as root: drop the capabilities that let root ignore file modes."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(pr_capbset_drop, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX modes + Linux prctl")
@pytest.mark.parametrize("existing", [False, True], ids=["new-db", "existing-db"])
def test_a_read_only_data_dir_warns_and_the_session_goes_on(tmp_path: Path, existing: bool) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "history.db"
    if existing:
        run = SqliteSessionLog(db)
        run.start(INFO)
        run.finish(False)
        run.close()
        for f in data.iterdir():
            f.chmod(0o444)
    data.chmod(0o555)
    try:
        out = subprocess.run(
            [sys.executable, "-c", READ_ONLY_CHILD, str(db)],
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_drop_root_file_override if os.geteuid() == 0 else None,
        )
    finally:
        data.chmod(0o755)
    assert out.returncode == 0, out.stderr
    warning = json.loads(out.stdout)["warning"]
    assert warning is not None and warning.startswith("history not saved:"), warning
    assert str(db) in warning


async def test_a_terminal_too_small_says_the_size_needed_and_recovers() -> None:
    from textual import events
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static

    from tui_trainer.ui.too_small import TooSmallScreen, guard_size

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("the layout", id="layout")

        def on_mount(self) -> None:
            guard_size(self, 100, 30)

        def on_resize(self, event: events.Resize) -> None:
            guard_size(self, 100, 30, event.size)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small", Static).render())
        assert "80×24" in text and "100×30" in text
        await pilot.resize_terminal(90, 40)
        await pilot.pause()
        text = str(app.screen.query_one("#too-small", Static).render())
        assert "90×40" in text  # still too narrow, and says so with the new size
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)
        assert app.screen.query_one("#layout", Static).display
        await pilot.resize_terminal(50, 10)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert len([s for s in app.screen_stack if isinstance(s, TooSmallScreen)]) == 1
        # a screen the app pushes over the message; the terminal grows meanwhile
        await app.push_screen(Screen())
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        assert not any(isinstance(s, TooSmallScreen) for s in app.screen_stack)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX modes + Linux prctl")
def test_history_still_reads_from_a_read_only_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = SqliteSessionLog(data / "history.db")
    log.start(INFO)
    log.step(rec(0))
    log.close()  # no finish: it has to show as interrupted, though nothing can be written
    for f in data.iterdir():
        f.chmod(0o444)
    data.chmod(0o555)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "tui_trainer.cli", "history", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "TUI_TRAINER_DATA_HOME": str(data)},
            preexec_fn=_drop_root_file_override if os.geteuid() == 0 else None,
        )
    finally:
        data.chmod(0o755)
    assert out.returncode == 0, out.stderr
    [session] = json.loads(out.stdout)
    assert session["status"] == "interrupted"
    assert [s["index"] for s in session["steps"]] == [0]


# --- with the real app (demo trainee, no camera, no sound, no window) ----------------------

SHORT_ROUTINE = """
name = "Short test"
level = "beginner"
description = "Two quick poses."

[[step]]
pose = "mountain"
hold_s = 30
rest_s = 1

[[step]]
pose = "tree"
side = "left"
hold_s = 30
rest_s = 0
"""


def _trainer_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Path) -> Any:
    from tui_trainer.io.sources import DemoSource
    from tui_trainer.ui.app import TrainerApp

    (tmp_path / "config" / "routines").mkdir(parents=True)
    (tmp_path / "config" / "routines" / "short.toml").write_text(SHORT_ROUTINE)
    monkeypatch.setenv("TUI_TRAINER_CONFIG_DIR", str(tmp_path / "config"))
    log = SqliteSessionLog(db)
    return TrainerApp(source_factory=lambda: DemoSource(seed=0), session_log_factory=lambda: log)


async def test_the_app_records_a_session_and_shows_a_new_personal_best(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from textual.widgets import DataTable, Digits, Static

    from tui_trainer.ui.history import HistoryScreen
    from tui_trainer.ui.screens import RoutineListScreen, SummaryScreen
    from tui_trainer.ui.session_screen import SessionScreen

    monkeypatch.setenv("TUI_TRAINER_DATA_HOME", str(tmp_path / "data"))
    db = tmp_path / "data" / "history.db"  # where the app's History screen looks
    earlier = SqliteSessionLog(db)  # a previous session with a low mountain score
    earlier.start(SessionInfo("short", "Short test", "demo", time.time() - 86400))
    earlier.step(StepRecord(0, "mountain", "Mountain", None, 30, 3, 40.0, 30.0, False, {}))
    earlier.finish(False)
    earlier.close()

    app = _trainer_app(tmp_path, monkeypatch, db)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        deadline = time.monotonic() + 15
        while screen.query_one("#score", Digits).value in ("--", "0"):
            assert time.monotonic() < deadline, "no score from the demo trainee"
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        await pilot.press("q")  # end early: interrupted, with what was done
        assert isinstance(app.screen, SummaryScreen)
        table = app.screen.query_one("#summary", DataTable)
        await pilot.pause(0.2)
        assert "★" in str(table.get_row_at(0)[3])
        assert "new personal best" in str(app.screen.query_one("#totals", Static).render())
        await pilot.press("q")
        assert isinstance(app.screen, RoutineListScreen)
        await pilot.press("h")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.query_one("#history-sessions", DataTable).row_count == 2

    with HistoryStore.open(db) as store:
        latest = store.list_sessions()[0]
        detail = store.get_session(latest.id)
    assert latest.status == "interrupted" and detail is not None
    assert detail.steps[0].pose_id == "mountain" and detail.steps[0].best_score > 40.0


async def test_the_app_in_a_too_small_terminal_says_the_size_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Static

    from tui_trainer.ui.app import MIN_HEIGHT, MIN_WIDTH
    from tui_trainer.ui.screens import RoutineListScreen
    from tui_trainer.ui.too_small import TooSmallScreen

    app = _trainer_app(tmp_path, monkeypatch, tmp_path / "h.db")
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small", Static).render())
        assert "60×15" in text and f"{MIN_WIDTH}×{MIN_HEIGHT}" in text
        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)
        await pilot.pause(0.2)
        assert isinstance(app.screen, RoutineListScreen)


# --- SIGKILL in the middle of a step: the step in progress is checkpointed ----------------

KILL_ROUTINE = """
name = "Kill test"
level = "beginner"
description = "A short first pose, a long second one."

[[step]]
pose = "mountain"
hold_s = 3
rest_s = 0.5

[[step]]
pose = "tree"
side = "left"
hold_s = 60
"""

# The real app, headless, on the demo trainee, with the real history log; it prints the
# session's state after every frame so the test knows what had been practised when it kills.
KILL_CHILD = textwrap.dedent(
    """
    import sys
    from tui_trainer.core.coaching.session import Session
    from tui_trainer.io.sources import DemoSource
    from tui_trainer.io.storage import SqliteSessionLog
    from tui_trainer.ui.app import TrainerApp

    update = Session.update

    def reporting_update(self, pose, t):
        state = update(self, pose, t)
        score = state.result.score if state.result and state.result.score is not None else -1
        print(state.index, round(state.held_s, 3), round(score, 1), flush=True)
        return state

    Session.update = reporting_update
    app = TrainerApp(
        source_factory=lambda: DemoSource(seed=int(sys.argv[1])),
        session_log_factory=SqliteSessionLog,
        start_routine="kill",
    )
    app.run(headless=True)
    """
)


def _kill_when(proc: subprocess.Popen[str], due: Any) -> list[tuple[int, float, float]]:
    """Read the child's states until due(states) says so, SIGKILL it, and return every state it
    reported (the ones still in the pipe too: the last is where it was killed)."""
    assert proc.stdout is not None
    states: list[tuple[int, float, float]] = []
    for line in proc.stdout:
        i, held, score = line.split()
        states.append((int(i), float(held), float(score)))
        if due(states):
            os.kill(proc.pid, signal.SIGKILL)
            break
    else:
        raise AssertionError(
            f"the app ended before the moment: {proc.stderr.read() if proc.stderr else ''}"
        )
    proc.wait(timeout=30)
    for line in proc.stdout:  # what it printed before the kill landed
        i, held, score = line.split()
        states.append((int(i), float(held), float(score)))
    return states


@pytest.mark.parametrize(
    "moment", ["first-pose-before-perfect", "first-pose-holding", "second-pose-holding"]
)
def test_sigkill_at_a_random_moment_keeps_the_step_in_progress(tmp_path: Path, moment: str) -> None:
    import random
    import time

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    config, data = tmp_path / "config", tmp_path / "data"
    (config / "routines").mkdir(parents=True)
    (config / "routines" / "kill.toml").write_text(KILL_ROUTINE)
    env = {**os.environ, "TUI_TRAINER_CONFIG_DIR": str(config), "TUI_TRAINER_DATA_HOME": str(data)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_CHILD, str(seed % 1000)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        if moment == "first-pose-before-perfect":
            # Scored for a random 1-2.5 s, before the demo trainee gets the pose right.
            first: list[float] = []
            wait = rng.uniform(1.0, 2.5)

            def due(states: list[tuple[int, float, float]]) -> bool:
                if states[-1][2] >= 0 and not first:
                    first.append(time.monotonic())
                late = bool(first) and time.monotonic() - first[0] >= wait
                return late or states[-1][1] > 0  # the first moment it holds at the latest
        elif moment == "first-pose-holding":
            target = rng.uniform(0.5, 2.5)

            def due(states: list[tuple[int, float, float]]) -> bool:
                return states[-1][0] == 0 and states[-1][1] >= target
        else:
            target = rng.uniform(1.0, 6.0)

            def due(states: list[tuple[int, float, float]]) -> bool:
                return states[-1][0] == 1 and states[-1][1] >= target

        states = _kill_when(proc, due)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    index, held, _ = states[-1]
    best = max(s[2] for s in states if s[0] == index)

    out = subprocess.run(
        [sys.executable, "-m", "tui_trainer.cli", "history", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    [session] = json.loads(out.stdout)
    why = f"seed {seed}, killed at {states[-1]}: {session}"
    assert session["status"] == "interrupted", why
    steps = session["steps"]
    assert [s["index"] for s in steps] == list(range(index + 1)), why
    last = steps[-1]
    assert not last["completed"], why
    # At most about a second lost: the writer commits the step in progress once a second.
    assert held - 1.2 <= last["held_s"] <= held, why
    assert best - 15 <= last["best_score"] <= best and last["best_score"] > 0, why
    if index == 1:
        assert steps[0]["completed"] and steps[0]["held_s"] == 3.0, why

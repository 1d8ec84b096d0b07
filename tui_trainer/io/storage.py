"""Where sessions are kept: the data dir, and SqliteSessionLog, the SessionLog that writes SQLite.

The session loop calls start/step/checkpoint/finish on its thread; they only put the record on
a queue (microseconds). A writer thread owns the SQLite connection and commits each finished step
on its own; the step in progress arrives as checkpoints (every frame that changed it), of which
the writer commits the newest about once a second. So a crash, a kill or Ctrl-C loses at most
the last second of practice. I/O trouble (read-only dir, full disk, a broken file) never raises:
it sets `warning` ("history not saved: ...") and the session goes on.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui_trainer.core.history.records import SessionInfo, StepRecord
from tui_trainer.core.history.summaries import new_personal_bests
from tui_trainer.io import history_db, history_owner
from tui_trainer.io.history_db import Connect

DATA_HOME_ENV = "TUI_TRAINER_DATA_HOME"
DB_NAME = "history.db"
CHECKPOINT_S = 1.0  # the step in progress is written at most this often (what a kill can lose)


def data_dir() -> Path:
    """$TUI_TRAINER_DATA_HOME, else the platform's user data dir (honours $XDG_DATA_HOME)."""
    override = os.environ.get(DATA_HOME_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("tui-trainer", appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_NAME


@dataclass(frozen=True)
class _Start:
    info: SessionInfo


@dataclass(frozen=True)
class _Step:
    record: StepRecord


@dataclass(frozen=True)
class _Checkpoint:
    record: StepRecord  # the step in progress, as it is now


@dataclass(frozen=True)
class _Finish:
    interrupted: bool


@dataclass(frozen=True)
class _Flush:
    done: threading.Event


_STOP = object()


class _Writer:
    """Runs on the writer thread; owns the connection. Never raises out of `run`."""

    def __init__(self, log: SqliteSessionLog, path: Path, connect: Connect, token: str) -> None:
        # A weak reference, so an abandoned log can be collected while its thread still runs.
        self._log = weakref.ref(log)
        self.path = path
        self.connect = connect
        self.token = token
        self.conn: sqlite3.Connection | None = None
        self.session_id: int | None = None
        self.pending: SessionInfo | None = None  # a start that could not be written yet
        self.progress: dict[int, StepRecord] = {}  # newest unwritten checkpoint per step
        self.written: dict[int, StepRecord] = {}  # what is on disk per step (this session)
        self.next_checkpoint = 0.0  # monotonic time the next checkpoint write may happen

    def _warn(self, exc: BaseException) -> None:
        log = self._log()
        if log is not None:
            log.warning = f"history not saved: {exc} ({self.path})"

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            notices: list[str] = []
            self.conn = history_db.open_db(self.path, notices, connect=self.connect)
            log = self._log()
            if log is not None and notices:
                log.notices.extend(notices)
                log.warning = log.warning or notices[-1]  # the one channel the app shows
        return self.conn

    def run(self, q: queue.Queue[object]) -> None:
        while True:
            wait = None  # nothing unwritten: sleep until the next item
            if self.progress:
                wait = max(self.next_checkpoint - time.monotonic(), 0.0)
            try:
                item: object = q.get(timeout=wait)
            except queue.Empty:
                item = None  # time to write the checkpoints
            if item is _STOP:
                self._guarded(self._write_progress)
                break
            if item is not None:
                self._guarded(self.handle, item)
            if self.progress and time.monotonic() >= self.next_checkpoint:
                self._guarded(self._write_progress)
        self._drop_connection()

    def _guarded(self, call: Callable[..., None], *args: object) -> None:
        try:
            call(*args)
        except Exception as exc:  # I/O trouble must never stop the session
            self._warn(exc)
            if isinstance(exc, sqlite3.DatabaseError | OSError):
                self._drop_connection()

    def _drop_connection(self) -> None:
        # After an error, reopen on the next write (the disk may have room again).
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
        self.conn = None

    def handle(self, item: object) -> None:
        if isinstance(item, _Checkpoint):
            if self.session_id is not None or self.pending is not None:
                self.progress[item.record.index] = item.record
        elif isinstance(item, _Flush):
            try:
                self._write_progress()
            finally:
                item.done.set()
        elif isinstance(item, _Start):
            if self.session_id is not None or self.pending is not None:
                try:
                    self._write_progress()  # the previous session's last second
                    self._finish(interrupted=True)  # a new start ends the previous session
                except (sqlite3.Error, OSError) as exc:
                    self._warn(exc)  # and the new one is still tried
            self.progress.clear()
            self.written.clear()
            self.pending = item.info
            self._begin()
        elif isinstance(item, _Step):
            self.progress.pop(item.record.index, None)  # the final record replaces them
            self._write_steps([item.record])
        elif isinstance(item, _Finish):
            try:
                self._write_progress()
            finally:
                self._finish(item.interrupted)

    def _write_progress(self) -> None:
        """Write the newest checkpoint of each step that changed since it was last written."""
        records = [r for i, r in sorted(self.progress.items()) if self.written.get(i) != r]
        self.progress.clear()
        # Set first: after a failed write the next try waits its turn (no busy retry).
        self.next_checkpoint = time.monotonic() + CHECKPOINT_S
        if records:
            self._write_steps(records)

    def _begin(self) -> None:
        info = self.pending
        assert info is not None
        conn = self._connection()
        bests = history_db.HistoryStore(conn, []).previous_bests()
        pid = os.getpid()
        now = time.time()
        cur = conn.execute(
            "INSERT INTO sessions (routine_id, routine_name, source, started_at, status, "
            "owner_pid, owner_start, owner_token, updated_at) "
            "VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)",
            (
                info.routine_id,
                info.routine_name,
                info.source,
                info.started_at,
                pid,
                history_owner.process_start(pid),
                self.token,
                now,
            ),
        )
        self.session_id = cur.lastrowid
        self.pending = None
        log = self._log()
        if log is not None:
            log.previous_best = bests
            log.session_id = self.session_id

    def _write_steps(self, records: list[StepRecord]) -> None:
        if self.session_id is None and self.pending is not None:
            self._begin()  # retry a start that failed (e.g. disk was full)
        if self.session_id is None:
            return
        conn = self._connection()
        # One transaction per write: a finished step is on disk before the next step starts.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for rec in records:
                conn.execute(
                    "INSERT OR REPLACE INTO steps (session_id, idx, pose_id, pose_name, side, "
                    "hold_target_s, held_s, best_score, mean_score, completed, corrections, flow) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        self.session_id,
                        rec.index,
                        rec.pose_id,
                        rec.pose_name,
                        rec.side,
                        rec.hold_target_s,
                        rec.held_s,
                        rec.best_score,
                        rec.mean_score,
                        int(rec.completed),
                        json.dumps(rec.corrections),
                        None if rec.flow is None else json.dumps(rec.flow.to_json()),
                    ),
                )
            conn.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = ?", (time.time(), self.session_id)
            )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        for rec in records:
            self.written[rec.index] = rec

    def _finish(self, interrupted: bool) -> None:
        sid, self.session_id, self.pending = self.session_id, None, None
        self.progress.clear()
        self.written.clear()
        if sid is None:
            return
        now = time.time()
        self._connection().execute(
            "UPDATE sessions SET status = ?, ended_at = ?, updated_at = ? WHERE id = ?",
            ("interrupted" if interrupted else "finished", now, now, sid),
        )


def _shut_down(q: queue.Queue[object], thread: threading.Thread, token: str, wait_s: float) -> None:
    """Stop the writer after it has written what is queued (also runs at interpreter exit).

    A session still open was cut short: it is written down as interrupted."""
    q.put(_Finish(interrupted=True))
    q.put(_STOP)
    if thread.is_alive() and thread is not threading.current_thread():
        thread.join(wait_s)
    history_owner.LIVE_TOKENS.discard(token)


class SqliteSessionLog:
    """SessionLog writing to the SQLite history, off the caller's thread.

    One log can record several sessions in turn (start ... finish, start ... finish). A log that
    is closed, garbage-collected or left at interpreter exit without finish() writes its session
    down as interrupted. A process killed outright leaves it "running"; the next open of the
    database sees that its writer is gone and marks it interrupted.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        connect: Connect = sqlite3.connect,
        wait_s: float = 3.0,
    ) -> None:
        self.path = path if path is not None else default_db_path()
        self.warning: str | None = None
        self.notices: list[str] = []  # e.g. "database was corrupt, moved it to ..."
        self.session_id: int | None = None
        self.previous_best: dict[str, float] = {}  # per pose, before the current session
        self._wait_s = wait_s
        self._token = uuid.uuid4().hex
        self._queue: queue.Queue[object] = queue.Queue()
        writer = _Writer(self, self.path, connect, self._token)
        self._thread = threading.Thread(
            target=writer.run, args=(self._queue,), name="history-writer", daemon=True
        )
        history_owner.LIVE_TOKENS.add(self._token)
        self._thread.start()
        # Runs on close(), on garbage collection, or at interpreter exit: what is queued gets
        # written even if the app never calls finish().
        self._finalizer = weakref.finalize(
            self, _shut_down, self._queue, self._thread, self._token, wait_s
        )

    def start(self, info: SessionInfo) -> None:
        self.session_id = None
        self.previous_best = {}
        self._put(_Start(info))

    def step(self, record: StepRecord) -> None:
        """A step finished or left: written at once, in its own transaction."""
        self._put(_Step(record))

    def checkpoint(self, record: StepRecord) -> None:
        """The step in progress as it is now: the writer keeps the newest and writes it about
        once a second (CHECKPOINT_S), so a kill loses at most that much."""
        self._put(_Checkpoint(record))

    def finish(self, interrupted: bool) -> None:
        """Ends the session and waits (up to `wait_s`) until it is on disk."""
        self._put(_Finish(interrupted))
        self.flush()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far (checkpoints too) is written; False on timeout."""
        if not self._thread.is_alive():
            return False
        done = threading.Event()
        self._queue.put(_Flush(done))
        return done.wait(self._wait_s if timeout is None else timeout)

    def close(self) -> None:
        """Write what is queued, end an unfinished session as interrupted, and stop the writer
        thread (idempotent)."""
        self._finalizer()

    def _put(self, item: object) -> None:
        if not self._finalizer.alive:
            self.warning = "history not saved: the history log was closed"
            return
        self._queue.put(item)

    def new_personal_bests(self, records: list[StepRecord]) -> set[int]:
        """Indices of the steps that beat the pose's best from earlier sessions (the summary)."""
        return new_personal_bests(records, self.previous_best)

    def is_personal_best(self, record: StepRecord) -> bool:
        return record.index in new_personal_bests([record], self.previous_best)

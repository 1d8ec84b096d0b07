"""The session history database: schema and migrations, recovery from a corrupt file, and the
read queries behind `tui-trainer history` and the History screen.

SQLite in WAL mode (readers never block the session's writer). The schema is versioned with
PRAGMA user_version; MIGRATIONS[i] takes a database from version i to i + 1. A file that is not
a database (or fails PRAGMA quick_check) is renamed aside with a timestamp suffix, never deleted.

Sessions record which process writes them (pid + the process's start time, so a reused pid is
not mistaken for the writer). A session left "running" by a process that no longer exists was
cut short (crash, kill, Ctrl-C): opening the database marks it interrupted.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui_trainer.core.errors import TrainerError
from tui_trainer.core.history.records import FlowRecord, StepRecord
from tui_trainer.core.history.summaries import (
    PoseProgress,
    SessionDetail,
    SessionSummary,
    trend_by_session,
)
from tui_trainer.io.history_owner import owner_alive

Connect = Callable[..., sqlite3.Connection]

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


class HistoryError(TrainerError):
    """The history database cannot be opened or read."""


def _m1_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            routine_id TEXT NOT NULL,
            routine_name TEXT NOT NULL,
            source TEXT NOT NULL,
            started_at REAL NOT NULL,
            ended_at REAL,
            status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted'))
        )"""
    )
    conn.execute(
        """CREATE TABLE steps (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            pose_id TEXT NOT NULL,
            pose_name TEXT NOT NULL,
            side TEXT,
            hold_target_s REAL NOT NULL,
            held_s REAL NOT NULL,
            best_score REAL NOT NULL,
            mean_score REAL NOT NULL,
            completed INTEGER NOT NULL,
            corrections TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (session_id, idx)
        )"""
    )


def _m2_owner(conn: sqlite3.Connection) -> None:
    # Who writes a session (to detect dead writers) and when it last wrote (the end time of a
    # session cut short); an index for the per-pose queries.
    for column in ("owner_pid INTEGER", "owner_start TEXT", "owner_token TEXT", "updated_at REAL"):
        conn.execute(f"ALTER TABLE sessions ADD COLUMN {column}")
    conn.execute("UPDATE sessions SET updated_at = COALESCE(ended_at, started_at)")
    # Version 1 had no owner: a session it left running can only have been cut short.
    conn.execute(
        "UPDATE sessions SET status = 'interrupted', ended_at = updated_at WHERE status = 'running'"
    )
    conn.execute("CREATE INDEX steps_pose ON steps(pose_id)")


def _m3_flow(conn: sqlite3.Connection) -> None:
    # A flow step's detail per pose and round (FlowRecord.to_json); NULL for a hold.
    conn.execute("ALTER TABLE steps ADD COLUMN flow TEXT")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m1_initial, _m2_owner, _m3_flow]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return  # the usual case, without taking the write lock (a read-only file is fine)
    while True:
        # The version is read inside the write transaction: another process may be migrating
        # the same file right now.
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{path} has history schema {version}, newer than this tui-trainer knows "
                    f"({SCHEMA_VERSION}); upgrade tui-trainer"
                )
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    msg = str(exc)
    return "not a database" in msg or "malformed" in msg


def _check_readable(conn: sqlite3.Connection) -> None:
    row = conn.execute("PRAGMA quick_check").fetchone()
    if row is None or row[0] != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed ({row and row[0]})")


def move_aside(path: Path) -> Path:
    """Rename a broken database (and its -wal/-shm files) out of the way; returns the new name."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    path.rename(target)
    return target


def open_db(
    path: Path, notices: list[str], *, connect: Connect = sqlite3.connect
) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the history database at `path`.

    Raises sqlite3.Error/OSError for I/O trouble and HistoryError for a schema it cannot use.
    A corrupt file is moved aside (a message is appended to `notices`) and a new one created.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(str(path), isolation_level=None, timeout=5.0)
    try:
        _check_readable(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if not _is_corruption(exc):
            raise
        moved = move_aside(path)
        notices.append(
            f"history database {path} was unreadable ({exc}); moved it to {moved} "
            "and started a new one"
        )
        conn = connect(str(path), isolation_level=None, timeout=5.0)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives a killed process (not a power cut), at a
        # fraction of FULL's fsync cost.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn, path)
        reap_dead_sessions(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def reap_dead_sessions(conn: sqlite3.Connection) -> int:
    """Mark sessions whose writer is gone as interrupted, ended at their last write."""
    rows = conn.execute(
        "SELECT id, owner_pid, owner_start, owner_token FROM sessions WHERE status = 'running'"
    ).fetchall()
    dead = [r[0] for r in rows if not owner_alive(r[1], r[2], r[3])]
    if not dead:
        return 0
    # Read-only: the queries still show them as interrupted (see _summary).
    with contextlib.suppress(sqlite3.OperationalError):
        conn.executemany(
            "UPDATE sessions SET status = 'interrupted', ended_at = updated_at "
            "WHERE id = ? AND status = 'running'",
            [(i,) for i in dead],
        )
    return len(dead)


# --- reading ------------------------------------------------------------------------------

_SUMMARY_SQL = """
SELECT s.id, s.routine_id, s.routine_name, s.source, s.started_at, s.ended_at, s.status,
       s.updated_at, s.owner_pid, s.owner_start, s.owner_token,
       COUNT(t.idx), COALESCE(SUM(t.completed), 0), AVG(t.mean_score)
FROM sessions s LEFT JOIN steps t ON t.session_id = s.id
{where}
GROUP BY s.id
ORDER BY s.started_at DESC, s.id DESC
"""


def _summary(row: tuple[Any, ...]) -> SessionSummary:
    (
        sid,
        rid,
        rname,
        source,
        started,
        ended,
        status,
        updated,
        pid,
        pstart,
        token,
        n_steps,
        n_done,
        mean,
    ) = row
    if status == "running" and not owner_alive(pid, pstart, token):
        status, ended = "interrupted", updated
    return SessionSummary(
        id=sid,
        routine_id=rid,
        routine_name=rname,
        source=source,
        started_at=started,
        ended_at=ended,
        status=status,
        steps_recorded=n_steps,
        poses_completed=n_done,
        mean_score=mean,
    )


def _flow(text: str | None) -> FlowRecord | None:
    if not text:
        return None
    try:
        return FlowRecord.from_json(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # a damaged detail costs the detail, not the step


def _step(row: tuple[Any, ...]) -> StepRecord:
    idx, pose_id, pose_name, side, target, held, best, mean, completed, corrections, flow = row
    try:
        corr = {str(k): int(v) for k, v in json.loads(corrections).items()}
    except (ValueError, TypeError, AttributeError):
        corr = {}
    return StepRecord(
        index=idx,
        pose_id=pose_id,
        pose_name=pose_name,
        side=side,
        hold_target_s=target,
        held_s=held,
        best_score=best,
        mean_score=mean,
        completed=bool(completed),
        corrections=corr,
        flow=_flow(flow),
    )


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Reading a WAL database in a directory we cannot write: no -shm file can be made, so
    mode=ro fails too; immutable=1 reads the file as it is (nobody can write there either)."""
    from urllib.parse import quote

    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?immutable=1", uri=True)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA_VERSION:
        conn.close()
        raise HistoryError(
            f"{path} is read-only and has history schema {version}; this tui-trainer needs "
            f"{SCHEMA_VERSION} (make it writable once to upgrade it)"
        )
    return conn


class HistoryStore:
    """Read access to the history (the CLI and the History screen)."""

    def __init__(self, conn: sqlite3.Connection, notices: list[str]) -> None:
        self.conn = conn
        self.notices = notices

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> HistoryStore:
        """Open the history at `path`; without `create`, a missing file reads as empty."""
        notices: list[str] = []
        try:
            if not create and not path.exists():
                conn = sqlite3.connect(":memory:", isolation_level=None)
                migrate(conn, path)
            else:
                try:
                    conn = open_db(path, notices)
                except sqlite3.OperationalError:
                    if create:
                        raise
                    conn = _open_read_only(path)
        except (sqlite3.Error, OSError) as exc:
            raise HistoryError(f"cannot open the history database {path}: {exc}") from exc
        return cls(conn, notices)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list_sessions(self) -> list[SessionSummary]:
        rows = self.conn.execute(_SUMMARY_SQL.format(where="")).fetchall()
        return [_summary(r) for r in rows]

    def get_session(self, session_id: int) -> SessionDetail | None:
        row = self.conn.execute(
            _SUMMARY_SQL.format(where="WHERE s.id = ?"), (session_id,)
        ).fetchone()
        if row is None:
            return None
        steps = self.conn.execute(
            "SELECT idx, pose_id, pose_name, side, hold_target_s, held_s, best_score, "
            "mean_score, completed, corrections, flow FROM steps WHERE session_id = ? "
            "ORDER BY idx",
            (session_id,),
        ).fetchall()
        return SessionDetail(_summary(row), tuple(_step(r) for r in steps))

    def all_sessions(self) -> list[SessionDetail]:
        out = []
        for s in self.list_sessions():
            detail = self.get_session(s.id)
            if detail is not None:
                out.append(detail)
        return out

    def pose_progress(self) -> list[PoseProgress]:
        """Per pose: personal best and best score per session (oldest first), by pose name."""
        rows = self.conn.execute(
            "SELECT t.pose_id, t.pose_name, t.session_id, t.best_score FROM steps t "
            "JOIN sessions s ON s.id = t.session_id ORDER BY s.started_at, s.id, t.idx"
        ).fetchall()
        names: dict[str, str] = {}
        per_pose: dict[str, list[tuple[int, float]]] = {}
        for pose_id, pose_name, sid, best in rows:
            names[pose_id] = pose_name  # the latest name wins
            per_pose.setdefault(pose_id, []).append((sid, best))
        out = []
        for pose_id, pairs in per_pose.items():
            trend = trend_by_session(pairs)
            out.append(PoseProgress(pose_id, names[pose_id], max(trend), trend))
        return sorted(out, key=lambda p: p.pose_name.lower())

    def previous_bests(self, exclude_session: int | None = None) -> dict[str, float]:
        """Best score per pose over all sessions but `exclude_session`."""
        rows = self.conn.execute(
            "SELECT pose_id, MAX(best_score) FROM steps WHERE session_id IS NOT ? GROUP BY pose_id",
            (exclude_session,),
        ).fetchall()
        return {pose_id: best for pose_id, best in rows}

"""The SQLite history: records round-trip, schema versions and migrations, corrupt files, stats."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tui_trainer.core.history.records import SessionInfo, StepRecord
from tui_trainer.core.history.summaries import format_duration, new_personal_bests, trend_by_session
from tui_trainer.io import history_owner
from tui_trainer.io.history_db import SCHEMA_VERSION, HistoryError, HistoryStore
from tui_trainer.io.storage import SqliteSessionLog, data_dir, default_db_path


def rec(index: int, pose: str = "tree", best: float = 80.0, **kw: object) -> StepRecord:
    args: dict[str, object] = dict(
        index=index,
        pose_id=pose,
        pose_name=pose.title(),
        side=None,
        hold_target_s=10.0,
        held_s=8.5,
        best_score=best,
        mean_score=best - 10,
        completed=True,
        corrections={},
    )
    args.update(kw)
    return StepRecord(**args)  # type: ignore[arg-type]


def run_session(
    db: Path, steps: list[StepRecord], *, started: float = 1000.0, interrupted: bool = False
) -> SqliteSessionLog:
    log = SqliteSessionLog(db)
    log.start(SessionInfo("morning", "Morning flow", "demo", started))
    for s in steps:
        log.step(s)
    log.finish(interrupted)
    log.close()
    assert log.warning is None, log.warning
    return log


def test_a_session_round_trips_with_its_steps(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    steps = [
        rec(0, "tree", 91.5, side="left", corrections={"raise your arms": 3, "hips": 1}),
        rec(1, "warrior_ii", 64.0, completed=False, held_s=2.0),
    ]
    log = run_session(db, steps, started=1234.5)
    with HistoryStore.open(db) as store:
        [summary] = store.list_sessions()
        assert summary.id == log.session_id
        assert (summary.routine_id, summary.routine_name, summary.source) == (
            "morning",
            "Morning flow",
            "demo",
        )
        assert summary.status == "finished"
        assert summary.started_at == 1234.5
        assert summary.ended_at is not None and summary.ended_at > summary.started_at
        assert summary.steps_recorded == 2 and summary.poses_completed == 1
        assert summary.mean_score == pytest.approx((81.5 + 54.0) / 2)
        detail = store.get_session(summary.id)
        assert detail is not None
        assert detail.steps == tuple(steps)
        assert detail.steps[0].top_correction == "raise your arms"
        assert store.get_session(summary.id + 1) is None


def test_database_is_wal_and_at_the_current_schema_version(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    run_session(db, [rec(0)])
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_data_dir_honours_the_override_and_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_TRAINER_DATA_HOME", "/somewhere/else")
    assert default_db_path() == Path("/somewhere/else/history.db")
    monkeypatch.delenv("TUI_TRAINER_DATA_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", "/xdg/data")
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert data_dir() == Path("/xdg/data/tui-trainer")


V1_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, routine_id TEXT NOT NULL,
  routine_name TEXT NOT NULL, source TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted')));
CREATE TABLE steps (session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL, pose_id TEXT NOT NULL, pose_name TEXT NOT NULL, side TEXT,
  hold_target_s REAL NOT NULL, held_s REAL NOT NULL, best_score REAL NOT NULL,
  mean_score REAL NOT NULL, completed INTEGER NOT NULL, corrections TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (session_id, idx));
INSERT INTO sessions VALUES (1, 'r1', 'Old finished', 'demo', 100.0, 160.0, 'finished');
INSERT INTO sessions VALUES (2, 'r1', 'Old running', 'webcam:0', 200.0, NULL, 'running');
INSERT INTO steps VALUES (1, 0, 'tree', 'Tree', NULL, 10, 10, 77, 70, 1, '{"hips": 2}');
INSERT INTO steps VALUES (2, 0, 'tree', 'Tree', 'left', 10, 4, 88, 60, 0, '{}');
PRAGMA user_version = 1;
"""


def test_migrates_a_version_1_database_keeping_its_data(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(V1_SCHEMA)
    conn.close()

    log = SqliteSessionLog(db)
    log.start(SessionInfo("r2", "New", "demo", 300.0))
    log.step(rec(0, "tree", 90.0))
    log.finish(False)
    log.close()
    assert log.warning is None
    assert log.previous_best == {"tree": 88.0}  # read across the migrated rows

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    cols = {r[1] for r in conn.execute("PRAGMA table_info(sessions)")}
    assert {"owner_pid", "owner_start", "owner_token", "updated_at"} <= cols
    conn.close()
    with HistoryStore.open(db) as store:
        by_id = {s.id: s for s in store.list_sessions()}
        assert by_id[1].status == "finished" and by_id[1].duration_s == 60.0
        # a v1 session left running had no owner to check: it was cut short
        assert by_id[2].status == "interrupted" and by_id[2].ended_at == 200.0
        assert by_id[3].status == "finished"
        old = store.get_session(1)
        assert old is not None and old.steps[0].corrections == {"hips": 2}
        [tree] = store.pose_progress()
        assert tree.trend == (77.0, 88.0, 90.0) and tree.personal_best == 90.0


def test_a_database_from_a_newer_version_is_refused_not_touched(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(HistoryError, match="newer"):
        HistoryStore.open(db)
    assert db.exists()
    log = SqliteSessionLog(db)
    log.start(SessionInfo("r", "R", "demo", 1.0))
    log.finish(False)
    log.close()
    assert log.warning is not None and "newer" in log.warning


@pytest.mark.parametrize("garbage", [os.urandom(8192), b"SQLite format 3\x00" + os.urandom(4080)])
def test_a_corrupt_file_is_moved_aside_and_a_new_one_created(
    tmp_path: Path, garbage: bytes
) -> None:
    db = tmp_path / "history.db"
    db.write_bytes(garbage)
    log = SqliteSessionLog(db)
    log.start(SessionInfo("r", "R", "demo", 1.0))
    log.step(rec(0))
    log.finish(False)
    log.close()
    moved = list(tmp_path.glob("history.db.corrupt-*"))
    assert len(moved) == 1
    assert moved[0].read_bytes() == garbage  # never deleted, never altered
    assert log.notices and str(moved[0]) in log.notices[0]
    assert log.warning is not None and "moved it to" in log.warning
    with HistoryStore.open(db) as store:
        assert [s.steps_recorded for s in store.list_sessions()] == [1]


def test_the_reader_moves_a_corrupt_file_aside_too(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    db.write_bytes(b"not a database at all" * 100)
    with HistoryStore.open(db) as store:
        assert store.list_sessions() == []
        assert "moved it to" in store.notices[0]
    assert len(list(tmp_path.glob("history.db.corrupt-*"))) == 1


def test_a_missing_database_reads_as_empty_without_creating_it(tmp_path: Path) -> None:
    db = tmp_path / "nothing" / "history.db"
    with HistoryStore.open(db) as store:
        assert store.list_sessions() == [] and store.pose_progress() == []
    assert not db.parent.exists()


def test_personal_bests_and_trends_over_sessions(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    run_session(db, [rec(0, "tree", 70.0), rec(1, "chair", 50.0)], started=100.0)
    second = run_session(
        db,
        [
            rec(0, "tree", 75.0, side="left"),
            rec(1, "tree", 82.0, side="right"),
            rec(2, "chair", 40.0),
        ],
        started=200.0,
    )
    assert second.previous_best == {"tree": 70.0, "chair": 50.0}
    records = [rec(0, "tree", 75.0), rec(1, "tree", 82.0), rec(2, "chair", 40.0)]
    assert second.new_personal_bests(records) == {0, 1}
    assert second.is_personal_best(records[1]) and not second.is_personal_best(records[2])
    third = run_session(db, [rec(0, "tree", 80.0), rec(1, "boat", 10.0)], started=300.0)
    assert not third.is_personal_best(rec(0, "tree", 80.0))  # 82 is the best so far
    assert not third.is_personal_best(rec(1, "boat", 10.0))  # first time: nothing to beat

    with HistoryStore.open(db) as store:
        progress = {p.pose_id: p for p in store.pose_progress()}
        assert progress["tree"].trend == (70.0, 82.0, 80.0)  # both sides count once
        assert progress["tree"].personal_best == 82.0
        assert progress["chair"].trend == (50.0, 40.0)
        assert progress["boat"].sessions == 1
        assert [p.pose_name for p in store.pose_progress()] == ["Boat", "Chair", "Tree"]
        assert [s.started_at for s in store.list_sessions()] == [300.0, 200.0, 100.0]


def test_one_log_records_sessions_in_turn_and_a_new_start_ends_the_last(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    log = SqliteSessionLog(db)
    log.start(SessionInfo("a", "A", "demo", 10.0))
    log.step(rec(0))
    log.start(SessionInfo("b", "B", "demo", 20.0))  # no finish for A
    log.step(rec(0))
    log.step(rec(1))
    log.finish(False)
    log.close()
    with HistoryStore.open(db) as store:
        got = {s.routine_id: (s.status, s.steps_recorded) for s in store.list_sessions()}
    assert got == {"a": ("interrupted", 1), "b": ("finished", 2)}


def test_a_redone_step_replaces_the_earlier_record(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    run_session(db, [rec(0, best=40.0), rec(0, best=60.0)])
    with HistoryStore.open(db) as store:
        detail = store.get_session(store.list_sessions()[0].id)
        assert detail is not None and [s.best_score for s in detail.steps] == [60.0]


def test_pure_helpers() -> None:
    assert trend_by_session([(3, 50.0), (3, 70.0), (5, 20.0), (9, 30.0), (9, 10.0)]) == (
        70.0,
        20.0,
        30.0,
    )
    assert new_personal_bests([rec(0, "a", 90.0), rec(1, "b", 90.0)], {"a": 89.9}) == {0}
    assert new_personal_bests([rec(0, "a", 89.9)], {"a": 89.9}) == set()
    assert format_duration(None) == "—"
    assert format_duration(65.4) == "1:05"
    assert format_duration(3725) == "1:02:05"


def test_owner_liveness_rules() -> None:
    me = os.getpid()
    start = history_owner.process_start(me)
    assert not history_owner.owner_alive(None, None, None)
    assert not history_owner.owner_alive(me, start, "not-a-live-token")
    history_owner.LIVE_TOKENS.add("tok")
    try:
        assert history_owner.owner_alive(me, start, "tok")
    finally:
        history_owner.LIVE_TOKENS.discard("tok")
    if start:  # Linux: a reused pid (other start time) is not the writer
        assert history_owner.owner_alive(os.getppid(), "", None)
        assert not history_owner.owner_alive(os.getppid(), "1", None)


class CountingConnection(sqlite3.Connection):
    """Counts the step rows written (INSERT INTO steps), across connections."""

    inserts = 0

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if sql.lstrip().startswith("INSERT OR REPLACE INTO steps"):
            CountingConnection.inserts += 1
        return super().execute(sql, *args)


def _counting(*args: Any, **kw: Any) -> sqlite3.Connection:
    return sqlite3.connect(*args, factory=CountingConnection, **kw)


def _steps_on_disk(db: Path) -> list[StepRecord]:
    with HistoryStore.open(db) as store:
        [summary] = store.list_sessions()
        detail = store.get_session(summary.id)
        assert detail is not None
        return list(detail.steps)


def test_checkpoints_write_the_newest_progress_about_once_a_second(tmp_path: Path) -> None:
    import time

    db = tmp_path / "h.db"
    CountingConnection.inserts = 0
    log = SqliteSessionLog(db, connect=_counting)
    log.start(SessionInfo("morning", "Morning flow", "demo", 1000.0))
    start = time.monotonic()
    # 2.5 s of a 30 fps session: each frame changes the step in progress.
    for frame in range(75):
        log.checkpoint(rec(0, held_s=frame / 30, completed=False))
        time.sleep(1 / 30)
    elapsed = time.monotonic() - start
    time.sleep(0.1)
    # Written without flush() or finish(): a kill now would keep nearly all of it.
    [on_disk] = _steps_on_disk(db)
    assert on_disk.held_s >= 74 / 30 - 1.2 and not on_disk.completed
    # About once a second, not once a frame.
    assert 1 <= CountingConnection.inserts <= elapsed + 2
    log.checkpoint(rec(0, held_s=74 / 30, completed=False))  # nothing changed since the last
    writes = CountingConnection.inserts
    assert log.flush()
    assert [s.held_s for s in _steps_on_disk(db)] == [pytest.approx(74 / 30)]
    assert CountingConnection.inserts <= writes + 1
    log.close()


def test_a_finished_step_replaces_its_checkpoints_and_is_written_at_once(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    log = SqliteSessionLog(db)
    log.start(SessionInfo("morning", "Morning flow", "demo", 1000.0))
    log.checkpoint(rec(0, held_s=9.9, completed=False))
    log.step(rec(0, held_s=10.0, completed=True))  # final: no checkpoint may overwrite it
    log.checkpoint(rec(1, held_s=0.5, completed=False))
    log.finish(interrupted=True)  # the step in progress is written before the session ends
    log.close()
    steps = _steps_on_disk(db)
    assert [(s.index, s.held_s, s.completed) for s in steps] == [(0, 10.0, True), (1, 0.5, False)]

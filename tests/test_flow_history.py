"""Flow steps in the history: stored with their detail per pose and round (schema 3), older
databases migrate and keep reading, and `tui-trainer history` shows the flows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tui_trainer.cli import main
from tui_trainer.core.history.records import FlowRecord, FlowWindowRecord, SessionInfo, StepRecord
from tui_trainer.core.history.summaries import flow_rows, step_cells
from tui_trainer.io.history_db import MIGRATIONS, SCHEMA_VERSION, HistoryStore
from tui_trainer.io.storage import SqliteSessionLog


def window(rnd: int, pos: int, reached: bool, ended: bool = True) -> FlowWindowRecord:
    name = ("Mountain", "Warrior II (left)")[pos]
    return FlowWindowRecord(
        round=rnd,
        position=pos,
        pose_id=("mountain", "warrior2")[pos],
        pose_name=name,
        side=(None, "left")[pos],
        breaths=(1, 3)[pos],
        reached=reached,
        reached_after_s=2.1 if reached else None,
        arrival_score=91.0 if reached else 55.0,
        hold_score=95.5 if reached else 62.0,
        ended=ended,
    )


FLOW = FlowRecord(
    name="Warrior flow",
    rounds=3,
    breath_s=6.0,
    poses=("Mountain", "Warrior II (left)"),
    breaths=(1, 3),
    windows=(
        window(0, 0, True), window(0, 1, True),  # round 1 counts
        window(1, 0, True), window(1, 1, False),  # round 2: warrior missed
        window(2, 0, True, ended=False),  # round 3 left half way
    ),
)  # fmt: skip
FLOW_STEP = StepRecord(
    index=0,
    pose_id="flow:warrior_flow",
    pose_name="Warrior flow",
    side="left",
    hold_target_s=72.0,
    held_s=40.0,
    best_score=97.0,
    mean_score=81.0,
    completed=False,
    corrections={"bend your front knee": 2},
    flow=FLOW,
)
HOLD_STEP = StepRecord(1, "mountain", "Mountain", None, 20.0, 20.0, 99.0, 95.0, True, {})


def test_round_marks_and_cells() -> None:
    assert FLOW.round_marks == (True, False, None) and FLOW.rounds_counted == 1
    assert step_cells(FLOW_STEP)[3] == "1/3 rounds"
    assert step_cells(HOLD_STEP)[3] == "20/20 s"
    rows = flow_rows(FLOW)
    assert rows[0] == ("Mountain", "1", "✓ 91/96", "✓ 91/96", "✓ 91/96")
    assert rows[1] == ("Warrior II (left)", "3", "✓ 91/96", "✗ 55/62", "—")
    assert rows[2] == ("rounds counted: 1/3", "", "✓ counted", "✗ missed", "—")


def record(db: Path, steps: list[StepRecord]) -> None:
    log = SqliteSessionLog(db)
    log.start(SessionInfo("warrior_flow", "Warrior flow", "demo", 1_700_000_000.0))
    for s in steps:
        log.step(s)
    log.finish(False)
    log.close()
    assert log.warning is None, log.warning


def test_a_flow_step_round_trips_with_its_detail(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    record(db, [FLOW_STEP, HOLD_STEP])
    with HistoryStore.open(db) as store:
        [summary] = store.list_sessions()
        detail = store.get_session(summary.id)
        assert detail is not None and detail.steps == (FLOW_STEP, HOLD_STEP)
        assert detail.steps[1].flow is None
        assert summary.steps_recorded == 2 and summary.poses_completed == 1
        # The flow has its own line in the progress per pose; its poses are not mixed in.
        assert {p.pose_id for p in store.pose_progress()} == {"flow:warrior_flow", "mountain"}


def test_a_version_2_database_migrates_and_its_steps_still_read(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    for version, migration in enumerate(MIGRATIONS[:2]):
        migration(conn)
        conn.execute(f"PRAGMA user_version = {version + 1}")
    conn.execute(
        "INSERT INTO sessions (id, routine_id, routine_name, source, started_at, ended_at, "
        "status, updated_at) VALUES (1, 'balance', 'Balance', 'demo', 10, 70, 'finished', 70)"
    )
    conn.execute("INSERT INTO steps VALUES (1, 0, 'tree', 'Tree', 'left', 30, 30, 88, 80, 1, '{}')")
    conn.close()
    record(db, [FLOW_STEP])
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    conn.close()
    with HistoryStore.open(db) as store:
        old = store.get_session(1)
        assert old is not None and old.steps[0].pose_id == "tree" and old.steps[0].flow is None
        new = store.get_session(2)
        assert new is not None and new.steps[0].flow == FLOW


def test_a_damaged_flow_detail_costs_the_detail_not_the_step(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    record(db, [FLOW_STEP])
    conn = sqlite3.connect(db)
    conn.execute('UPDATE steps SET flow = \'{"name": "x"}\'')
    conn.commit()
    conn.close()
    with HistoryStore.open(db) as store:
        detail = store.get_session(1)
        assert detail is not None and detail.steps[0].flow is None
        assert detail.steps[0].best_score == 97.0


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data"
    monkeypatch.setenv("TUI_TRAINER_DATA_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "160")
    record(home / "history.db", [FLOW_STEP, HOLD_STEP])
    return home


def test_history_show_has_a_table_per_flow(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "show", "1"]) == 0
    out = capsys.readouterr().out
    assert "1/3 rounds" in out
    assert "Step 1: Warrior flow (left)" in out
    lines = out.splitlines()
    warrior = next(line for line in lines if "Warrior II (left)" in line)
    assert "✓ 91/96" in warrior and "✗ 55/62" in warrior
    assert any("rounds counted: 1/3" in line and "✗ missed" in line for line in lines)


def test_history_json_carries_the_flow(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "show", "1", "--json"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert "flow" not in steps[1]
    flow = steps[0]["flow"]
    assert flow["rounds_counted"] == 1 and flow["rounds"] == 3
    assert [w["reached"] for w in flow["windows"]] == [True, True, True, False, True]
    assert FlowRecord.from_json(flow) == FLOW


def test_the_csv_export_says_how_many_rounds_counted(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import io

    assert main(["history", "export", "--csv", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["pose_id"], r["flow_rounds"], r["flow_rounds_counted"]) for r in rows] == [
        ("flow:warrior_flow", "3", "1"),
        ("mountain", "", ""),
    ]

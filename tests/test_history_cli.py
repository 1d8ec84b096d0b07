"""`tui-trainer history`: list, show, poses and CSV export, for people and as JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tui_trainer.cli import main
from tui_trainer.core.history.records import SessionInfo, StepRecord
from tui_trainer.io.storage import SqliteSessionLog


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data"
    monkeypatch.setenv("TUI_TRAINER_DATA_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "160")  # Rich tables: no wrapped cells to search across
    return home


def step(i: int, pose: str, best: float, done: bool = True) -> StepRecord:
    corrections = {"straighten your back": 2, "arms up": 1} if done else {}
    return StepRecord(i, pose, pose.replace("_", " ").title(), None, 10.0, 9.0, best, best - 10,
                      done, corrections)  # fmt: skip


def record_sessions(home: Path) -> None:
    db = home / "history.db"
    plan = [
        (
            "Morning flow",
            1_700_000_000.0,
            [step(0, "tree", 70), step(1, "chair", 60, False)],
            False,
        ),
        ("Evening calm", 1_700_090_000.0, [step(0, "tree", 85)], True),
    ]
    for name, started, steps, interrupted in plan:
        log = SqliteSessionLog(db)
        log.start(SessionInfo(name.lower().replace(" ", "_"), name, "demo", started))
        for s in steps:
            log.step(s)
        log.finish(interrupted)
        log.close()
        assert log.warning is None


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["history", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_empty_history(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--json") == (0, "[]\n", "")
    code, out, _ = run(capsys)
    assert code == 0 and "No sessions yet" in out
    assert not data_home.exists()  # reading never creates the data dir


def test_list_json_has_every_session_with_its_steps(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_sessions(data_home)
    code, out, err = run(capsys, "--json")
    assert code == 0 and err == ""
    sessions = json.loads(out)
    assert [s["routine_name"] for s in sessions] == ["Evening calm", "Morning flow"]  # newest 1st
    evening, morning = sessions
    assert evening["status"] == "interrupted" and morning["status"] == "finished"
    assert [s["pose_id"] for s in morning["steps"]] == ["tree", "chair"]
    assert morning["poses_completed"] == 1 and morning["steps_recorded"] == 2
    assert morning["mean_score"] == pytest.approx((60 + 50) / 2)
    assert morning["steps"][0]["corrections"] == {"straighten your back": 2, "arms up": 1}
    assert morning["steps"][0]["top_correction"] == "straighten your back"
    assert morning["duration_s"] > 0 and morning["started"].startswith("2023-11-")


def test_list_table_for_people(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record_sessions(data_home)
    code, out, _ = run(capsys)
    assert code == 0
    for text in ("Evening calm", "Morning flow", "interrupted", "finished", "1/2", "1/1"):
        assert text in out, text


def test_show_one_session(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record_sessions(data_home)
    ids = {s["routine_name"]: s["id"] for s in json.loads(run(capsys, "--json")[1])}
    code, out, _ = run(capsys, "show", str(ids["Morning flow"]), "--json")
    assert code == 0
    detail = json.loads(out)
    assert detail["id"] == ids["Morning flow"]
    assert [(s["pose_name"], s["completed"]) for s in detail["steps"]] == [
        ("Tree", True),
        ("Chair", False),
    ]
    code, out, _ = run(capsys, "show", str(ids["Morning flow"]))
    assert code == 0 and "Chair" in out and "straighten your back" in out


def test_unknown_id_is_a_one_line_error(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_sessions(data_home)
    code, out, err = run(capsys, "show", "999")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "tui-trainer: error: no session with id 999 (`tui-trainer history` lists them)"
    ]


def test_poses_progress(data_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record_sessions(data_home)
    code, out, _ = run(capsys, "poses", "--json")
    assert code == 0
    by_pose = {p["pose_id"]: p for p in json.loads(out)}
    assert by_pose["tree"]["trend"] == [70.0, 85.0] and by_pose["tree"]["personal_best"] == 85.0
    assert by_pose["chair"]["sessions"] == 1
    code, out, _ = run(capsys, "poses")
    assert code == 0 and "Tree" in out and "85" in out


def test_export_csv_one_row_per_step(
    data_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_sessions(data_home)
    target = tmp_path / "out.csv"
    code, _, err = run(capsys, "export", "--csv", str(target))
    assert code == 0 and "3 rows" in err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["routine_name"], r["pose_id"]) for r in rows] == [
        ("Morning flow", "tree"),
        ("Morning flow", "chair"),
        ("Evening calm", "tree"),
    ]
    assert rows[2]["status"] == "interrupted" and rows[1]["completed"] == "0"
    assert json.loads(rows[0]["corrections"]) == {"straighten your back": 2, "arms up": 1}
    assert not list(tmp_path.glob(".out.csv.*"))  # no temp file left behind

    code, _, err = run(capsys, "export", "--csv", str(target))
    assert code == 2 and "exists; use --force" in err
    target.write_text("keep me")
    assert run(capsys, "export", "--csv", str(target))[0] == 2
    assert target.read_text() == "keep me"
    assert run(capsys, "export", "--csv", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8").startswith("session_id,")


@pytest.mark.parametrize("where", ["missing-dir/out.csv", "."], ids=["no-dir", "a-directory"])
def test_export_to_an_unwritable_path_is_a_one_line_error(
    data_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    record_sessions(data_home)
    code, out, err = run(capsys, "export", "--csv", str(tmp_path / where))
    assert code == 2 and out == ""
    [line] = err.strip().splitlines()
    assert line.startswith("tui-trainer: error: ") and str(tmp_path) in line


def test_a_corrupt_database_is_reported_and_moved_aside(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_home.mkdir()
    (data_home / "history.db").write_bytes(b"\x00garbage" * 512)
    code, out, err = run(capsys, "--json")
    assert code == 0 and json.loads(out) == []
    assert err.startswith("tui-trainer: warning: history database") and "moved it to" in err
    assert len(list(data_home.glob("history.db.corrupt-*"))) == 1

"""`tui-trainer history`: past sessions, one session's steps, progress per pose, CSV export."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui_trainer.core.history.records import StepRecord
    from tui_trainer.core.history.summaries import SessionDetail
    from tui_trainer.io.history_db import HistoryStore

CSV_SESSION_COLUMNS = (
    "session_id",
    "routine_id",
    "routine_name",
    "source",
    "started",
    "ended",
    "duration_s",
    "status",
)
CSV_STEP_COLUMNS = (
    "step_index",
    "pose_id",
    "pose_name",
    "side",
    "hold_target_s",
    "held_s",
    "best_score",
    "mean_score",
    "completed",
    "corrections",
    "flow_rounds",  # a flow step: its rounds and how many counted (empty for a hold)
    "flow_rounds_counted",
)


def register(parser: argparse.ArgumentParser, subparsers: Any) -> None:
    p = subparsers.add_parser(
        "history",
        help="past sessions, progress per pose, CSV export",
        description="Your past sessions (newest first): date, routine, duration, mean score, "
        "poses completed and whether the session finished or was interrupted. The history is "
        "kept in SQLite in your data dir ($TUI_TRAINER_DATA_HOME overrides it).",
    )
    p.add_argument("--json", action="store_true", help="a JSON list of sessions with their steps")
    p.set_defaults(handler=run_list)
    sub = p.add_subparsers(dest="history_command", metavar="{show,poses,export}")
    show = sub.add_parser("show", help="one session, step by step")
    show.add_argument("id", type=int, metavar="ID", help="session id (from `tui-trainer history`)")
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(handler=run_show)
    poses = sub.add_parser("poses", help="per pose: personal best and the trend over sessions")
    poses.add_argument("--json", action="store_true", help="a JSON list")
    poses.set_defaults(handler=run_poses)
    export = sub.add_parser("export", help="every step of every session as CSV")
    export.add_argument(
        "--csv", required=True, metavar="FILE", help="where to write it ('-' for stdout)"
    )
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    export.set_defaults(handler=run_export)


def _open() -> HistoryStore:
    import sys

    from tui_trainer.io.history_db import HistoryStore
    from tui_trainer.io.storage import default_db_path

    store = HistoryStore.open(default_db_path())
    for notice in store.notices:
        print(f"tui-trainer: warning: {notice}", file=sys.stderr)
    return store


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _print_json(data: Any) -> None:
    import json
    import os
    import sys

    try:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def run_list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from tui_trainer.core.history.summaries import format_duration, local_time

    with _open() as store:
        if args.json:
            _print_json([d.to_json() for d in store.all_sessions()])
            return 0
        sessions = store.list_sessions()
    console = Console()
    if not sessions:
        console.print("No sessions yet. Try one: tui-trainer --source demo")
        return 0
    table = Table(
        title="Sessions",
        title_justify="left",
        caption="Score: mean of the steps' scores. Poses: completed / recorded.",
        caption_justify="left",
    )
    for col, justify in (
        ("ID", "right"),
        ("Date", "left"),
        ("Routine", "left"),
        ("Duration", "right"),
        ("Score", "right"),
        ("Poses", "right"),
        ("Status", "left"),
    ):
        table.add_column(col, justify=justify, no_wrap=col in ("Date", "Status"))  # type: ignore[arg-type]
    styles = {"finished": "green", "interrupted": "yellow", "running": "cyan"}
    for s in sessions:
        table.add_row(
            str(s.id),
            local_time(s.started_at),
            s.routine_name,
            format_duration(s.duration_s),
            _score(s.mean_score),
            f"{s.poses_completed}/{s.steps_recorded}",
            f"[{styles.get(s.status, '')}]{s.status}[/]",
        )
    console.print(table)
    console.print("Details: tui-trainer history show ID   Progress: tui-trainer history poses")
    return 0


def _detail(store: HistoryStore, session_id: int) -> SessionDetail:
    from tui_trainer.io.history_db import HistoryError

    detail = store.get_session(session_id)
    if detail is None:
        raise HistoryError(f"no session with id {session_id} (`tui-trainer history` lists them)")
    return detail


def run_show(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from tui_trainer.core.history.summaries import (
        STEP_COLUMNS,
        format_duration,
        local_time,
        step_cells,
    )

    with _open() as store:
        detail = _detail(store, args.id)
    if args.json:
        _print_json(detail.to_json())
        return 0
    s = detail.summary
    console = Console()
    console.print(
        f"[b]Session {s.id}[/b]  {s.routine_name}  {local_time(s.started_at)}  "
        f"{format_duration(s.duration_s)}  {s.status}  source: {s.source}"
    )
    table = Table()
    for col in STEP_COLUMNS:
        table.add_column(col)
    for step in detail.steps:
        table.add_row(*step_cells(step))
    console.print(table if detail.steps else "No steps recorded.")
    for step in detail.steps:
        if step.flow is not None:
            console.print(_flow_table(step))
    return 0


def _flow_table(step: StepRecord) -> Any:
    """A flow step: a row per pose, a column per round."""
    from rich.table import Table

    from tui_trainer.core.history.summaries import FLOW_LEGEND, flow_columns, flow_rows

    assert step.flow is not None
    side = f" ({step.side})" if step.side else ""
    table = Table(title=f"Step {step.index + 1}: {step.pose_name}{side}", caption=FLOW_LEGEND)
    for col in flow_columns(step.flow):
        table.add_column(col)
    for row in flow_rows(step.flow):
        table.add_row(*row)
    return table


def run_poses(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from tui_trainer.core.history.summaries import sparkline_text

    with _open() as store:
        progress = store.pose_progress()
    if args.json:
        _print_json([p.to_json() for p in progress])
        return 0
    console = Console()
    if not progress:
        console.print("No poses recorded yet.")
        return 0
    table = Table(title="Progress per pose", title_justify="left")
    for col, justify in (("Pose", "left"), ("Best", "right"), ("Sessions", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    table.add_column("Trend (best score per session)")
    for p in progress:
        table.add_row(
            p.pose_name, f"{p.personal_best:.0f}", str(p.sessions), sparkline_text(p.trend)
        )
    console.print(table)
    return 0


def _csv_rows(store: HistoryStore) -> list[dict[str, Any]]:
    import json

    rows = []
    for d in reversed(store.all_sessions()):  # oldest first
        s = d.summary.to_json()
        base = {col: s[col] for col in CSV_SESSION_COLUMNS[1:]}
        if base["duration_s"] is not None:
            base["duration_s"] = round(base["duration_s"], 1)
        base["session_id"] = s["id"]
        for step in d.steps or (None,):  # a session without steps still gets a row
            row = dict(base)
            if step is not None:
                row.update(
                    step_index=step.index,
                    pose_id=step.pose_id,
                    pose_name=step.pose_name,
                    side=step.side or "",
                    hold_target_s=step.hold_target_s,
                    held_s=step.held_s,
                    best_score=step.best_score,
                    mean_score=step.mean_score,
                    completed=int(step.completed),
                    corrections=json.dumps(step.corrections, ensure_ascii=False),
                )
                if step.flow is not None:
                    row.update(
                        flow_rounds=step.flow.rounds,
                        flow_rounds_counted=step.flow.rounds_counted,
                    )
            rows.append(row)
    return rows


def run_export(args: argparse.Namespace) -> int:
    import csv
    import io
    import os
    import sys
    import tempfile
    from pathlib import Path

    from tui_trainer.core.errors import InputFileError

    with _open() as store:
        rows = _csv_rows(store)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_SESSION_COLUMNS + CSV_STEP_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    if args.csv == "-":
        sys.stdout.write(buf.getvalue())
        return 0
    target = Path(args.csv)
    if target.is_dir():
        raise InputFileError(f"{target} is a directory; give a file name for the CSV")
    if target.exists() and not args.force:
        raise InputFileError(f"{target} exists; use --force to overwrite it")
    # Write a temp file next to the target and rename it: a failure never leaves half a CSV.
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            f.write(buf.getvalue())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a CSV is an ordinary file
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise InputFileError(f"cannot write {target}: {exc.strerror or exc}") from exc
    print(f"wrote {len(rows)} rows to {target}", file=sys.stderr)
    return 0

"""The routine list, the summary and the keys help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Static

from tui_trainer.core.coaching.session import StepSummary, totals
from tui_trainer.core.history.summaries import FLOW_LEGEND, flow_columns, flow_rows
from tui_trainer.core.library import LoadError
from tui_trainer.core.library.routines import Routine, Step

if TYPE_CHECKING:
    from tui_trainer.ui.hosts import TrainerHost


def minutes(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def marked(cell: str) -> Text:
    """A table cell with its leading ✓ / ✗ in colour."""
    style = {"✓": "bold green", "✗": "red"}.get(cell[:1])
    text = Text(cell[:1], style=style or "") if style else Text(cell[:1])
    text.append(cell[1:])
    return text


class RoutineListScreen(Screen[None]):
    AUTO_FOCUS = "#routines"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "Start", priority=True),
        Binding("h", "app.history", "History"),
        Binding("question_mark", "app.help", "Keys"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, routines: list[Routine], errors: list[LoadError]) -> None:
        super().__init__()
        self.routines = routines
        self.errors = errors

    @property
    def trainer(self) -> TrainerHost:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="list-body"):
            table: DataTable[str] = DataTable(id="routines", cursor_type="row", zebra_stripes=True)
            table.border_title = "Routines"
            yield table
            with VerticalScroll(id="preview") as preview:
                preview.border_title = "Steps"
                yield Static(id="preview-text")
        if self.errors:
            with VerticalScroll(id="errors") as box:
                box.border_title = f"Could not load ({len(self.errors)})"
                lines = Text()
                for i, err in enumerate(self.errors):
                    if i:
                        lines.append("\n")
                    lines.append(err.message or err.path, style="red")
                yield Static(lines)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "choose a routine"
        table = self.query_one("#routines", DataTable)
        table.add_columns("Routine", "Level", "Poses", "Time")
        for r in self.routines:
            table.add_row(r.name, r.level, str(len(r.steps)), minutes(r.total_s), key=r.id)
        if not self.routines:
            self.query_one("#preview-text", Static).update(
                "No routines found. Add one to the routines folder of your config directory."
            )
        else:
            self._preview(0)
        table.focus()

    def _preview(self, row: int) -> None:
        if not 0 <= row < len(self.routines):
            return
        r = self.routines[row]
        poses = self.trainer.poses
        text = Text()
        text.append(f"{r.name}\n", style="bold")
        text.append(f"{r.level} · {len(r.steps)} poses · {minutes(r.total_s)}\n", style="dim")
        if r.description:
            text.append(f"{r.description}\n")
        text.append("\n")
        text.append("     pose                   hold  rest\n", style="dim")
        for i, step in enumerate(r.steps, 1):
            known = step.pose_id in poses
            name = poses.get(step.pose_id).display_name(step.side) if known else step.pose_id
            if step.flow is not None:
                name = step.flow.label(step.side)
            text.append(f"{i:3}. {name[:21]:<21}", style="bold")
            text.append(f" {step.hold_s:4.0f}s {step.rest_s:4.0f}s\n", style="dim")
            if step.flow is not None:
                text.append(f"     {self._flow_line(step)}\n", style="dim")
        self.query_one("#preview-text", Static).update(text)

    def _flow_line(self, step: Step) -> str:
        assert step.flow is not None
        poses = self.trainer.poses
        names = [
            f"{poses.get(p.pose_id).name if p.pose_id in poses else p.pose_id} {p.breaths}"
            for p in step.flow.poses
        ]
        return f"{step.flow.rounds} rounds: " + " → ".join(names)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_start()

    def action_start(self) -> None:
        if not self.routines:
            self.notify("There is no routine to start.", severity="warning")
            return
        row = self.query_one("#routines", DataTable).cursor_row
        self.trainer.start_session(self.routines[max(row, 0)])


class SummaryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape,enter", "close", "Back"),
        Binding("question_mark", "app.help", "Keys"),
    ]

    def __init__(self, routine: Routine, rows: list[StepSummary], log: Any = None) -> None:
        super().__init__()
        self.routine = routine
        self.rows = rows
        self.history_log = log

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="summary-body"):
            table: DataTable[Text | str] = DataTable(id="summary", cursor_type="row")
            table.border_title = "Summary"
            yield table
            if any(r.record.flow is not None for r in self.rows):
                flows: DataTable[Text | str] = DataTable(id="summary-flows", cursor_type="none")
                flows.border_title = "Flows: per pose and round"
                flows.border_subtitle = FLOW_LEGEND
                yield flows
            yield Static(id="totals")
        yield Footer()

    def _personal_bests(self) -> set[int]:
        check = getattr(self.history_log, "new_personal_bests", None)
        if check is None:
            return set()
        try:
            return set(check([r.record for r in self.rows if r.scored_frames]))
        except Exception:
            return set()

    def on_mount(self) -> None:
        self.sub_title = f"{self.routine.name}: summary"
        table = self.query_one("#summary", DataTable)
        table.add_columns(
            "#", "Pose", "Side", "Best", "Mean", "Held / target", "Done", "Most frequent correction"
        )
        bests = self._personal_bests()
        for row in self.rows:
            rec = row.record
            tried = row.scored_frames > 0
            best = Text(f"{rec.best_score:.0f}" if tried else "—")
            if rec.index in bests:
                best.append(" ★", style="bold yellow")
            held = f"{rec.held_s:.0f} / {rec.hold_target_s:.0f} s"
            if rec.flow is not None:
                held = f"{rec.flow.rounds_counted} / {rec.flow.rounds} rounds"
            table.add_row(
                str(rec.index + 1),
                rec.pose_name,
                rec.side or "—",
                best,
                f"{rec.mean_score:.0f}" if tried else "—",
                held,
                Text("✓", style="bold green") if rec.completed else Text("✗", style="red"),
                rec.top_correction or "—",
            )
        self._fill_flows()
        t = totals(self.rows)
        text = Text()
        text.append(f"Completed {t.completed} of {t.steps} poses", style="bold")
        text.append(f"  ·  held {minutes(t.held_s)} of {minutes(t.hold_target_s)}")
        if t.mean_score is not None:
            text.append(f"  ·  mean score {t.mean_score:.0f}  ·  best {t.best_score:.0f}")
        if bests:
            text.append(f"\n★ new personal best on {len(bests)} pose(s)", style="yellow")
        self.query_one("#totals", Static).update(text)
        table.focus()

    def _fill_flows(self) -> None:
        """Each flow step: a row per pose with a cell per round, and which rounds counted."""
        flows = [r.record for r in self.rows if r.record.flow is not None]
        if not flows:
            return
        table = self.query_one("#summary-flows", DataTable)
        rounds = max(rec.flow.rounds for rec in flows if rec.flow is not None)
        # "#" is the step's number in the table above (which names the flow and its side).
        table.add_columns("#", *flow_columns(flows[0].flow, rounds))  # type: ignore[arg-type]
        for rec in flows:
            assert rec.flow is not None
            for i, row in enumerate(flow_rows(rec.flow, rounds)):
                last = i == len(rec.flow.poses)
                first_cell = Text(str(rec.index + 1) if i == 0 else "", style="bold")
                cells = [marked(c) for c in row[2:]]
                name = Text(row[0], style="italic" if last else "")
                table.add_row(first_cell, name, row[1], *cells)

    def action_close(self) -> None:
        self.app.pop_screen() if len(self.app.screen_stack) > 2 else self.app.exit()


HELP = """\
[b]Routine list[/b]
  ↑ ↓        choose a routine
  Enter      start it
  h          session history
  q          quit

[b]Session[/b]
  n  →       next pose
  p  ←       previous pose
  space      pause / resume
  r          restart this pose
  s          sound on / off (chime and voice)
  v          voice on / off (the chime stays)
  q  Esc     end the session and show the summary

[b]Summary[/b]
  q  Esc     back to the routine list

Hold a pose well (PERFECT) and the hold timer runs; when it is
complete, a short rest follows and the next pose starts by itself.
A flow follows the breath cue (a rising tone: inhale, falling:
exhale); a round counts when every pose was reached in its window."""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(HELP)
            yield Static("[dim]Esc closes this[/dim]", id="help-close")

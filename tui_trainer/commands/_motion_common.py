"""What `analyze` and `compare-motion` share: options, output checks, the angle table, plotting.

Imports stay light at module level (argparse, pathlib): the CLI imports every command at start.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def is_recording(path: str) -> bool:
    """A landmark recording (.npz from --record) rather than a video."""
    return Path(path).suffix.lower() == ".npz"


def add_output_arguments(p: argparse.ArgumentParser, plot_help: str) -> None:
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", metavar="FILE.png", help=plot_help)


def add_workers_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes for landmark extraction (default: cores)",
    )


def check_output(path: str | None, suffix: str, option: str) -> None:
    """Fail before any slow work when `option`'s file has the wrong suffix or no folder."""
    from tui_trainer.core.errors import InputFileError

    if path is None:
        return
    p = Path(path)
    if p.suffix.lower() != suffix:
        raise InputFileError(f"{p}: {option} writes a {suffix} file (name it {suffix})")
    if not p.parent.resolve().is_dir():
        raise InputFileError(f"{p.parent}: no such folder for {option}")


def angle_table(title: str, column: str, values: dict[str, float]) -> Any:
    """A rich Table of one number (degrees) per angle, in the order given."""
    from rich.table import Table

    from tui_trainer.core.body.angles import ANGLE_LABELS

    table = Table(title=title)
    table.add_column("angle")
    table.add_column(column, justify="right")
    for name, value in values.items():
        table.add_row(ANGLE_LABELS[name], f"{value:.1f}")
    return table


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (files only; no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt

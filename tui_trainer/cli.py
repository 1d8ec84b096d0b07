"""The `tui-trainer` command.

Each subcommand lives in tui_trainer/commands/<name>.py with `register(subparsers)`; command
modules import only argparse-level things at module level (heavy imports inside their run
functions), so `tui-trainer --help` and `--version` stay instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tui_trainer import __version__
from tui_trainer.core.errors import TrainerError

# Order = order in --help. "app" adds the top-level options that start the Textual trainer.
COMMAND_MODULES = (
    "app",
    "compare",
    "show",
    "poses",
    "routines",
    "compare_motion",
    "follow",
    "analyze",
    "history",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tui-trainer",
        description="A home yoga trainer in the terminal: pick a routine, stand in front of the "
        "camera, and get live scores, corrections and a summary.",
        epilog="Try it without a camera: tui-trainer --source demo",
    )
    parser.add_argument("--version", action="version", version=f"tui-trainer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"tui_trainer.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"tui_trainer.commands.{name}":
                continue  # not built yet
            raise
        module.register(parser, sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except TrainerError as exc:
        print(f"tui-trainer: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tui-trainer: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""Loading the pose library for a command: broken files are listed on stderr, not fatal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_trainer.core.library import LoadError, PoseLibrary


def load_library() -> PoseLibrary:
    from tui_trainer.core.library import PoseLibrary

    lib = PoseLibrary.load()
    print_load_errors(lib.errors)
    return lib


def print_load_errors(errors: list[LoadError]) -> None:
    for e in errors:
        print(f"tui-trainer: warning: skipped broken file: {e.message}", file=sys.stderr)

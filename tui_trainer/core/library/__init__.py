"""The pose library: pose and routine models, their TOML files, the library on disk, and how a
pose (with its variants) is built from photos or a video.

`PoseLibrary`, `RoutineLibrary` and the folder helpers are re-exported here (catalog.py), so
`tui_trainer.core.library.PoseLibrary` keeps working for code outside the repository."""

from tui_trainer.core.library.catalog import (
    DATA_DIR_ENV,
    KINDS,
    BuiltinLibraryMissing,
    LoadError,
    PoseLibrary,
    PoseMatch,
    RoutineLibrary,
    UnknownPoseError,
    UnknownRoutineError,
    builtin_dir,
    config_root,
    user_dir,
)
from tui_trainer.core.library.routine_file import LEVELS

__all__ = [
    "DATA_DIR_ENV",
    "KINDS",
    "LEVELS",
    "BuiltinLibraryMissing",
    "LoadError",
    "PoseLibrary",
    "PoseMatch",
    "RoutineLibrary",
    "UnknownPoseError",
    "UnknownRoutineError",
    "builtin_dir",
    "config_root",
    "user_dir",
]

"""The layering rules: core stays pure numpy, and the CLI starts without heavy imports."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN_IN_CORE = ("textual", "cv2", "mediapipe", "sounddevice")


def _imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_core_imports_no_ui_video_or_audio_library() -> None:
    import pkgutil

    import tui_trainer.core

    modules = [
        m.name for m in pkgutil.walk_packages(tui_trainer.core.__path__, "tui_trainer.core.")
    ]
    assert "tui_trainer.core.comparison.scoring" in modules  # sub-packages are walked too
    code = "\n".join(f"import {m}" for m in modules)
    loaded = _imported_after(code)
    assert "numpy" in loaded  # the check itself works
    assert not loaded & set(FORBIDDEN_IN_CORE), sorted(loaded & set(FORBIDDEN_IN_CORE))


def test_help_and_version_do_not_import_heavy_libraries() -> None:
    for flag in ("--help", "--version"):
        loaded = _imported_after(
            "import contextlib, io\nfrom tui_trainer.cli import main\n"
            f"with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main([{flag!r}])"
        )
        assert "tui_trainer" in loaded
        assert not loaded & {"textual", "cv2", "mediapipe", "sounddevice"}, flag


def test_version_prints_the_package_version() -> None:
    from tui_trainer import __version__

    out = subprocess.run(
        [sys.executable, "-m", "tui_trainer.cli", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"tui-trainer {__version__}"

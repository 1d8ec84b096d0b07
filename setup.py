"""Build hook: ship the built-in pose library and routines inside the package.

The top-level `poses/` and `routines/` folders are the source of truth (the pose scripts write
them, the README points at them). A wheel has no such folders, so build_py copies every `*.toml`
under them (subfolders included) to `tui_trainer/builtin/<kind>/` in the build; the package
reads them from there with importlib.resources (tui_trainer/core/library/catalog.py). An editable
install reads the checkout's folders directly, so nothing is copied for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
KINDS = ("poses", "routines")


class BuildPyWithLibrary(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the checkout's poses/ and routines/ are read in place
        target_root = Path(self.build_lib) / "tui_trainer" / "builtin"
        shutil.rmtree(target_root, ignore_errors=True)  # no stale files from an earlier build
        for kind in KINDS:
            source = HERE / kind
            files = sorted(p for p in source.rglob("*.toml") if p.is_file())
            if not files:
                raise SystemExit(
                    f"build: no *.toml files in {source}: the built-in {kind} are missing"
                )
            for path in files:
                target = target_root / kind / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)


setup(cmdclass={"build_py": BuildPyWithLibrary})

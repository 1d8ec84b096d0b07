"""Regenerate poses/*.toml from the MediaPipe landmarks of real yoga photos.

    python scripts/build_builtin_poses.py [--npz ../shared/eval/yoga_dev_landmarks.npz]
                                          [--holdout] [--out DIR]

The shipped poses are built from every photo: more people make better targets, tolerances and
forms for people the library has never seen (templates from a third of the photos against two
thirds, measured on the remaining third: recall 0.77 -> 0.84, 35-degree faults caught 0.79 ->
0.80). About a third of each pose's photos (chosen by a hash of the file name, so the split is
stable) is named in poses/HOLDOUT.txt: the benchmarks and tests that measure on photos a library
has not seen build their own from the rest (build_library, or --holdout). Names, cues, side
rules and hint phrases come from scripts/pose_hints.toml.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tui_trainer.core.body.pose import Pose  # noqa: E402
from tui_trainer.core.library.builder import (  # noqa: E402
    DeclaredVariant,
    build_pose_spec,
    target_table,
)
from tui_trainer.core.library.pose_file import format_pose  # noqa: E402
from tui_trainer.core.library.spec import PoseSpec  # noqa: E402
from tui_trainer.core.tomlcompat import tomllib  # noqa: E402

HOLDOUT_FILE = "HOLDOUT.txt"
HEADER = (
    "Built by scripts/build_builtin_poses.py from MediaPipe 0.10.21 landmarks of {n} real photos\n"
    "of this pose (a public yoga-pose photo collection; the photos are not included). Do not\n"
    "edit by hand: change scripts/pose_hints.toml and rerun the script."
)


def split_holdout(label: str, names: list[str]) -> set[str]:
    """A stable third of a pose's photos: those whose file-name hashes sort first."""
    ranked = sorted(names, key=lambda n: hashlib.sha1(f"{label}/{n}".encode()).hexdigest())
    return set(ranked[: round(len(names) / 3)])


def load_photos(npz: Path) -> dict[str, list[tuple[str, Pose]]]:
    out: dict[str, list[tuple[str, Pose]]] = {}
    with np.load(npz) as d:
        for i in range(len(d["name"])):
            w, h = (int(v) for v in d["image_size"][i])
            pose = Pose.from_arrays(d["image"][i], d["world"][i], d["visibility"][i], (w, h))
            out.setdefault(str(d["label"][i]), []).append((str(d["name"][i]), pose))
    return out


def declare(variant_id: str, row: dict[str, Any]) -> DeclaredVariant:
    """A declared form from pose_hints.toml: name, defining angles, their hint phrases."""
    angles = {n: (float(t), None) for n, t in row["angles"].items()}
    return DeclaredVariant(variant_id, row["name"], angles, row.get("hints", {}))


def build_library(
    train: dict[str, list[Pose]], hints_file: Path = REPO / "scripts/pose_hints.toml"
) -> dict[str, PoseSpec]:
    """Every pose's spec from its photos (bench/bench_coach.py builds on a split with this)."""
    meta: dict[str, Any] = tomllib.loads(hints_file.read_text("utf-8"))
    # A form found in a pose's photos and named after a shared one speaks its words.
    form_hints = {row["name"]: row.get("hints", {}) for row in meta.get("forms", {}).values()}

    def build(pose_id: str, others: list[dict[str, float]]) -> Any:
        m = meta.get(pose_id, {})
        hints = m.get("hints", {})
        extra = {k: m[k] for k in ("side_rule", "side_note") if k in m}
        declared = [declare(vid, v) for vid, v in m.get("variants", {}).items()]
        declared = [declare(f, meta["forms"][f]) for f in m.get("forms", [])] + declared
        return build_pose_spec(
            train[pose_id],
            pose_id,
            m.get("name", pose_id.replace("_", " ").title()),
            sanskrit=m.get("sanskrit", ""),
            cue=m.get("cue", ""),
            symmetric=bool(m.get("symmetric", True)),
            side_rule=m.get("side_rule"),
            hints=hints,
            others=others,
            declared=declared,
            form_hints=form_hints,
            builtin=True,
            extra=extra,
        )

    # Pass 1 gives every pose's targets; pass 2 uses them to weigh what is distinctive.
    first = {pid: build(pid, []) for pid in train}
    targets = {pid: target_table(spec) for pid, spec in first.items()}
    return {
        pid: build(pid, [t for o, ts in targets.items() if o != pid for t in ts]) for pid in train
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--npz", type=Path, default=REPO.parent / "shared/eval/yoga_dev_landmarks.npz")
    ap.add_argument("--out", type=Path, default=REPO / "poses")
    ap.add_argument("--hints", type=Path, default=REPO / "scripts/pose_hints.toml")
    ap.add_argument(
        "--holdout", action="store_true", help="build from the photos not in HOLDOUT.txt only"
    )
    args = ap.parse_args()

    photos = load_photos(args.npz)
    train: dict[str, list[Pose]] = {}
    holdout: list[str] = []
    for label, items in sorted(photos.items()):
        out = split_holdout(label, [n for n, _ in items])
        train[label] = [p for n, p in items if not (args.holdout and n in out)]
        holdout += [f"{label}\t{n}" for n, _ in items if n in out]
    specs = build_library(train, args.hints)
    args.out.mkdir(parents=True, exist_ok=True)
    for pid, spec in specs.items():
        text = format_pose(spec, HEADER.format(n=spec.n_samples))
        (args.out / f"{pid}.toml").write_text(text, "utf-8")
        print(f"{pid:20s} {spec.n_samples:3d} photos")
    (args.out / HOLDOUT_FILE).write_text(
        "# A stable third of yoga_dev_landmarks.npz (label<TAB>file name): benchmarks and tests\n"
        "# build a library from the other photos and measure on these (the shipped poses are\n"
        "# built from every photo).\n" + "\n".join(holdout) + "\n",
        "utf-8",
    )
    print(f"{len(holdout)} photos held out -> {args.out / HOLDOUT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The method's three cases on real photos (../shared/media; skipped where absent).

1. The same photo twice: distance 0.0 and 100 % on both seed metrics (and a trainer score of 100).
2. A photo against its horizontal flip (cv2.flip, MediaPipe run again on the flipped image).
   Honest note on the seed coordinate metric: as the method defines it (raw normalized image x, y,
   no centring), a flip of a person standing near the middle of the frame changes the 66-d vector
   little, so its score stays fairly high: measured 93.9 (tfjs warrior II), 92.1 (ooibowei
   warrior II), 84.8 (standing man), 81.3 (tree) -- below the same-photo 100 but not "low". The
   test asserts "clearly below 100" (< 95). The trainer score matches the flip against the
   mirror-image target: >= 90 with mirrored=True (measured 97-99), and clearly lower with
   sides="same" (measured 58-75).
3. Warrior II against the standing man: trainer score < 50 (measured 42-44).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tui_trainer.core.body.pose import Pose
from tui_trainer.core.comparison.scoring import compare

PHOTOS = (
    "tfjs_pose_warrior2.jpg",
    "ooibowei_warrior2.jpg",
    "tfexamples_standing_man_pixabay.jpg",
    "tfexamples_tree_pixabay.jpg",
)

_cache: dict[str, Pose] = {}


@pytest.fixture(scope="module")
def estimate(media_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Pose]:
    """Pose of a media photo (flipped=True: of its horizontal mirror image), computed once."""
    import cv2

    from tui_trainer.io.estimator import estimate_image

    flipped_dir = tmp_path_factory.mktemp("flipped")

    def run(name: str, flipped: bool = False) -> Pose:
        key = f"{name}:{flipped}"
        if key not in _cache:
            path = media_dir / name
            if flipped:
                image = cv2.imread(str(path))
                path = flipped_dir / name
                assert cv2.imwrite(str(path), cv2.flip(image, 1))
            _cache[key] = estimate_image(path)
        return _cache[key]

    return run


@pytest.mark.parametrize("name", PHOTOS[:2])
def test_same_photo_twice(media_dir: Path, estimate: Callable[..., Pose], name: str) -> None:
    from tui_trainer.io.estimator import estimate_image

    again = estimate_image(media_dir / name)  # a second, independent MediaPipe run
    c = compare(estimate(name), again)
    assert c.coordinate_distance == 0.0 and c.angle_distance == 0.0
    assert c.coordinate_score == 100.0 and c.angle_score == 100.0
    assert c.score == pytest.approx(100.0, abs=1e-6)
    assert c.verdict == "PERFECT" and not c.mirrored


@pytest.mark.parametrize("name", PHOTOS)
def test_photo_against_its_flip(estimate: Callable[..., Pose], name: str) -> None:
    original, flipped = estimate(name), estimate(name, flipped=True)
    either = compare(original, flipped, sides="either")
    same = compare(original, flipped, sides="same")
    assert either.coordinate_score < 95.0  # see the module docstring: not "low", but below 100
    assert either.score >= 90.0 and either.mirrored
    assert same.score < either.score - 10.0 and not same.mirrored
    assert same.coordinate_score == either.coordinate_score  # seeds never mirror


def test_warrior2_against_standing_man(estimate: Callable[..., Pose]) -> None:
    man = estimate("tfexamples_standing_man_pixabay.jpg")
    for warrior in PHOTOS[:2]:
        assert compare(estimate(warrior), man).score < 50.0
        assert compare(man, estimate(warrior)).score < 50.0
        assert compare(estimate(warrior), man).verdict == "FIGHTING"


def test_two_people_in_warrior2_match(estimate: Callable[..., Pose]) -> None:
    a, b = estimate(PHOTOS[0]), estimate(PHOTOS[1])
    man = estimate("tfexamples_standing_man_pixabay.jpg")
    assert compare(a, b).score >= 80.0
    assert compare(a, b).score > compare(a, man).score + 30.0

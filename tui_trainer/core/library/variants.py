"""Finding a pose's variants (its distinct accepted forms) among photos of people doing it.

Tree is done with the hands at the heart or the arms overhead; averaging both gives a template
nobody does (arms half up) and a tolerance so wide it accepts anything. So the photos are first
clustered on their joint angles, and each cluster with enough photos becomes a variant.

Two sources of variants:
- declared: the forms a teacher accepts, given by the few angles that define them (tree: hands
  at heart = elbows ~50 deg, shoulders ~38 deg). A photo within DECLARED_MATCH degrees of a
  declared form on each of its defining angles belongs to it.
- found: the other photos are clustered by k-medoids on the mean absolute difference of the main
  joint angles, trunk lean and leg spread (degrees; robust, no scaling to fit), k =
  2..MAX_VARIANTS. A split is kept only when every cluster has at least MIN_VARIANT_PHOTOS
  photos and the clusters are well separated (mean silhouette >= MIN_SILHOUETTE: by the usual
  reading of silhouettes, below 0.25 there is no structure, 0.25-0.5 a weak one; 0.35 asks for
  more than noise). Deterministic: no random start.
"""

from __future__ import annotations

import numpy as np

from tui_trainer.core.body.angles import ANGLE_INDEX, MAIN_ANGLES

MAX_VARIANTS = 3
MIN_VARIANT_PHOTOS = 3
MIN_SILHOUETTE = 0.35
DECLARED_MATCH = 30.0  # degrees, on every defining angle
FEATURES = (*MAIN_ANGLES, "trunk_lean", "leg_spread")
FEATURE_INDEX = np.array([ANGLE_INDEX[n] for n in FEATURES], dtype=np.intp)


def distances(features: np.ndarray) -> np.ndarray:
    """(N, N) mean absolute difference in degrees over the features both samples have."""
    f = np.asarray(features, dtype=np.float64)
    diff = np.abs(f[:, None, :] - f[None, :, :])
    ok = np.isfinite(diff)
    count = ok.sum(axis=-1)
    total = np.where(ok, diff, 0.0).sum(axis=-1)
    return np.where(count > 0, total / np.maximum(count, 1), 180.0)


def k_medoids(dist: np.ndarray, k: int, iterations: int = 50) -> np.ndarray:
    """Labels (N,) of a k-medoids clustering; farthest-first start from the overall medoid."""
    n = len(dist)
    medoids = [int(np.argmin(dist.sum(axis=1)))]
    while len(medoids) < k:
        medoids.append(int(np.argmax(dist[:, medoids].min(axis=1))))
    labels = np.argmin(dist[:, medoids], axis=1)
    for _ in range(iterations):
        new = []
        for c in range(k):
            members = np.flatnonzero(labels == c)
            if len(members) == 0:
                new.append(medoids[c])
                continue
            inner = dist[np.ix_(members, members)].sum(axis=1)
            new.append(int(members[np.argmin(inner)]))
        new_labels = np.argmin(dist[:, new], axis=1)
        if new == medoids and np.array_equal(new_labels, labels):
            break
        medoids, labels = new, new_labels
    return np.asarray(labels[:n])


def silhouette(dist: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette coefficient (-1..1) of a clustering."""
    ks = np.unique(labels)
    if len(ks) < 2:
        return 0.0
    values = []
    for i in range(len(labels)):
        own = labels == labels[i]
        own[i] = False
        if not own.any():
            values.append(0.0)
            continue
        a = float(dist[i, own].mean())
        b = min(float(dist[i, labels == c].mean()) for c in ks if c != labels[i])
        values.append((b - a) / max(a, b, 1e-9))
    return float(np.mean(values))


def _photo_count(labels: np.ndarray, photo_ids: np.ndarray, k: int) -> np.ndarray:
    return np.array([len(np.unique(photo_ids[labels == c])) for c in range(k)])


def find_variants(angle_values: np.ndarray, photo_ids: np.ndarray | None = None) -> np.ndarray:
    """Cluster labels 0..k-1 (largest cluster 0) for samples' angles (N, K in ANGLE_NAMES
    order); all 0 when the photos show one form. photo_ids (N,): which photo each sample is
    (a symmetric pose counts each photo twice, as itself and mirrored)."""
    features = np.asarray(angle_values)[:, FEATURE_INDEX]
    n = len(features)
    ids = np.arange(n) if photo_ids is None else np.asarray(photo_ids)
    best = np.zeros(n, dtype=np.intp)
    if len(np.unique(ids)) < 2 * MIN_VARIANT_PHOTOS:
        return best
    dist = distances(features)
    best_score = MIN_SILHOUETTE
    for k in range(2, MAX_VARIANTS + 1):
        labels = k_medoids(dist, k)
        if _photo_count(labels, ids, k).min() < MIN_VARIANT_PHOTOS:
            continue
        score = silhouette(dist, labels)
        if score >= best_score:
            best, best_score = labels, score
    # Largest first, so variant 0 (the main form) is the most common one.
    order = np.argsort(-np.bincount(best), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return np.asarray(rank[best])


def assign_declared(angle_values: np.ndarray, declared: list[dict[str, float]]) -> np.ndarray:
    """(N,) index of the declared form each sample shows (within DECLARED_MATCH degrees on
    every defining angle, the closest if several), -1 for none."""
    values = np.asarray(angle_values)
    out = np.full(len(values), -1, dtype=np.intp)
    if not declared:
        return out
    worst = np.full((len(values), len(declared)), np.inf)
    for d, form in enumerate(declared):
        idx = [ANGLE_INDEX[n] for n in form]
        diff = np.abs(values[:, idx] - np.array(list(form.values()))[None, :])
        seen = np.isfinite(diff).all(axis=1)
        worst[seen, d] = diff[seen].max(axis=1)
    best = np.argmin(worst, axis=1)
    ok = worst[np.arange(len(values)), best] <= DECLARED_MATCH
    out[ok] = best[ok]
    return out

"""An exercise's tests' points in a pack, in cents that add up to the exercise's points.

A pack can scale an exercise (7 points scaled to 10): each test's share is then a
fraction (10/7 of 2 points is 2.857...). Rounded one by one, the shares would not
add up to 10 on a platform that sums them (Gradescope, GitHub Classroom), so the
cents are handed out by largest remainder.
"""

from __future__ import annotations

import math

from serverless_tutor.content.packs import Pack


def points_per_test(pack: Pack, exercise_id: str, raw_points: list[int]) -> list[float]:
    """Each test's points in the pack; their sum is the exercise's points in the pack."""
    raw_total = sum(raw_points)
    if raw_total == 0:
        return [0.0 for _ in raw_points]
    factor = pack.scale(exercise_id, raw_total) / raw_total
    exact = [points * factor * 100 for points in raw_points]
    cents = [math.floor(value) for value in exact]
    short = round(sum(exact)) - sum(cents)
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - cents[i], reverse=True)
    for index in by_remainder[:short]:
        cents[index] += 1
    return [value / 100 for value in cents]

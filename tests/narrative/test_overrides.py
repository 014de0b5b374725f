"""Overrides: suppress, reword, add; stale when the numbers under them change."""

from __future__ import annotations

from hand_built import analysis, change, measure

from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.overrides import Override, apply_overrides, fingerprint, override_for


def points(current: float = 90.0):  # type: ignore[no-untyped-def]
    return measure_key_points(analysis(changes=(change(current, 100.0),)), measure())


def test_fingerprint_is_stable_and_tracks_the_numbers() -> None:
    (a,), (b,), (c,) = points(), points(), points(91.0)
    assert fingerprint(a.evidence) == fingerprint(b.evidence)
    assert fingerprint(a.evidence) != fingerprint(c.evidence)
    assert fingerprint({"x": 0.1 + 0.2}) == fingerprint({"x": 0.3})  # float noise is not a change


def test_reword_applies_while_the_numbers_are_the_same() -> None:
    (kp,) = points()
    out = apply_overrides(
        points(), [override_for(kp, "reword", "Offences fell by a tenth this quarter.")]
    )
    (only,) = out.key_points
    assert (
        only.text == "Offences fell by a tenth this quarter."
        and only.overridden
        and not only.override_stale
    )
    assert out.warnings == ()


def test_suppress_removes_the_point() -> None:
    (kp,) = points()
    assert apply_overrides(points(), [override_for(kp, "suppress")]).key_points == ()


def test_stale_override_is_not_applied_and_is_flagged() -> None:
    (old,) = points(90.0)
    for action in ("reword", "suppress"):
        out = apply_overrides(
            points(95.0), [override_for(old, action, "Offences fell by a tenth.")]
        )  # type: ignore[arg-type]
        (kp,) = out.key_points
        assert kp.override_stale and not kp.overridden
        assert kp.text.startswith("Recorded offences decreased by 5.0%")
        assert (
            len(out.warnings) == 1
            and "m:change_previous" in out.warnings[0]
            and "different numbers" in out.warnings[0]
        )


def test_added_points_and_unmatched_keys() -> None:
    added = Override(
        key="note:holidays",
        action="add",
        text="Three weeks of school holidays fall in this quarter.",
        measure="m",
        priority=12,
    )
    lost = Override(key="m:trend", action="suppress", fingerprint="0" * 16, line=7)
    out = apply_overrides(points(), [added, lost])
    assert [kp.kind for kp in out.key_points] == ["change_previous", "override"]
    assert out.key_points[1].priority == 12 and out.key_points[1].overridden
    assert out.warnings == (
        "the override of key point 'm:trend' (overrides.yaml line 7) matches no key point in this run",
    )

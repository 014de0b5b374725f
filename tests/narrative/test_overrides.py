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


def _pool():  # type: ignore[no-untyped-def]
    """A trend, two changes (told as one) and a gap of one measure; a change of another."""
    from hand_built import trend

    a = analysis(
        trend=trend(),
        changes=(
            change(90, 100),
            change(90, 80, kind="same_period_last_year", comparison_label="2022/23 Q1"),
        ),
        gaps=("2019/20 Q2",),
    )
    b = analysis(measure_id="b", changes=(change(50, 52),))
    return list(measure_key_points(a, measure())) + list(measure_key_points(b, measure(id="b")))


def test_notes_on_the_data_go_to_the_analyst_unless_promoted() -> None:
    from planwatch.narrative.keypoints import priority_points

    box, notes = priority_points(_pool())
    assert [p.key for p in notes] == ["m:gap"] and "m:gap" not in {p.key for p in box}
    promoted = apply_overrides(_pool(), [Override("m:gap", "promote")]).key_points
    box, notes = priority_points(promoted)
    assert box[0].key == "m:gap" and notes == ()


def test_pin_leads_the_box_and_demote_moves_a_point_to_the_notes() -> None:
    from planwatch.narrative.keypoints import priority_points

    overrides = [Override("b:change_previous", "pin"), Override("m:trend", "demote")]
    out = apply_overrides(_pool(), overrides)
    assert out.warnings == ()
    box, notes = priority_points(out.key_points, limit=1, per_measure=1)
    assert [p.key for p in box] == ["b:change_previous"]  # pinned first, whatever its score
    assert [p.key for p in notes] == ["m:gap", "m:trend"]  # notes on the data, then demoted
    # pins are kept beyond the limit: an analyst's choice is never cut
    pins = [Override(k, "pin") for k in ("m:changes", "b:change_previous")]
    box, _ = priority_points(apply_overrides(_pool(), pins).key_points, limit=1, per_measure=1)
    assert {p.key for p in box} == {"m:changes", "b:change_previous"}

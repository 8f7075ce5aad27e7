"""The pure frame function the lifecycle panel draws (called directly, no UI)."""

from serverless_tutor.sim import (
    Constant,
    FunctionProfile,
    LifecycleModel,
    Policy,
    SimConfig,
    TraceArrivals,
)
from serverless_tutor.sim.frame import fmt_clock, fmt_seconds, legend, lifecycle_frame

WIDTH = 76


def model(times=(0.0,), keep_alive=10.0, provisioned=0):
    config = SimConfig(
        arrivals=TraceArrivals(times_s=list(times)),
        profile=FunctionProfile(
            warm=Constant(value_s=1.0),
            init=Constant(value_s=2.0),
            cold_mode="init_plus_warm",
            init_split={"download_code": 0.25, "init_runtime": 0.5, "init_function": 0.25},
        ),
        policy=Policy(keep_alive_s=keep_alive, provisioned=provisioned),
        horizon_s=1000.0,
    )
    return LifecycleModel(config, record_events=True)


def texts(lines):
    return [line.text for line in lines]


def test_a_cold_lane_shows_every_phase_with_its_duration_and_progress():
    wide = lifecycle_frame(model().advance_to(0.75).snapshot, 120)[0].text
    for label in ("code 0.50s", "runtime 1.00s", "init fn 0.50s", "exec 1.00s"):
        assert label in wide
    lines = lifecycle_frame(model().advance_to(0.75).snapshot, WIDTH)
    assert len(lines) == 1
    text = lines[0].text
    # Narrow segments keep the duration and drop the name.
    assert text.count("0.50s") == 2 and "runtime 1.00s" in text and "exec 1.00s" in text
    assert "runtime 0.25s/1.00s cold" in text
    styles = [segment.style for segment in lines[0].segments]
    # Download is done (solid), runtime half done (solid then faint), the rest to come.
    assert "download_code" in styles and "download_code:todo" not in styles
    assert "init_runtime" in styles and "init_runtime:todo" in styles
    assert "execute:todo" in styles and "execute" not in styles
    assert len(text) == WIDTH


def test_idle_lane_drains_its_keep_alive_and_then_disappears():
    m = model(keep_alive=10.0)
    early = lifecycle_frame(m.advance_to(4.0).snapshot, WIDTH)[0]
    late = lifecycle_frame(m.advance_to(12.0).snapshot, WIDTH)[0]
    assert "reclaim in 9.00s" in early.text and "idle 1.00s" in early.text
    assert "reclaim in 1.00s" in late.text

    def solid_cells(line):
        return sum(len(segment.text) for segment in line.segments if segment.style == "idle")

    assert solid_cells(early) > solid_cells(late) > 0
    gone = lifecycle_frame(m.advance_to(14.0).snapshot, WIDTH)
    assert texts(gone) == ["  no environments: the next request will cold-start"]


def test_provisioned_lanes_are_marked_and_never_expire():
    m = model(times=(500.0,), provisioned=2)
    lines = texts(lifecycle_frame(m.advance_to(300.0).snapshot, WIDTH))
    assert len(lines) == 2
    assert all(
        line.startswith("P#") and "provisioned · warm" in line and "kept" in line for line in lines
    )


def test_too_many_lanes_fold_into_a_count():
    m = model(times=(0.0,) * 12)
    lines = texts(lifecycle_frame(m.advance_to(0.1).snapshot, WIDTH, max_lanes=5))
    assert len(lines) == 5
    assert lines[-1].strip() == "… 8 more environments"


def test_formatting_helpers_and_legend():
    assert fmt_seconds(0.221) == "0.22s"
    assert fmt_seconds(42.0) == "42.0s"
    assert fmt_seconds(588) == "9m48s"
    assert fmt_seconds(7380) == "2h03m"
    assert fmt_clock(3723.46) == "1:02:03.5"
    assert len(legend().text) <= 64
    assert [s.style for s in legend().segments if s.text == "█"] == [
        "download_code",
        "init_runtime",
        "init_function",
        "execute",
        "idle",
    ]

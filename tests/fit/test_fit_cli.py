"""`serverless-tutor fit`: JSON for presets and descriptions, the preset list, exit code 2 for bad input."""

import json

import pytest

from serverless_tutor.cli import main
from serverless_tutor.fit import PRESETS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["fit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_preset_as_json(capsys):
    code, out, _ = run(capsys, "--preset", "video-transcode", "--json")
    assert code == 0
    data = json.loads(out)
    assert (
        data["verdict"] == "poor fit"
        and data["key_reason"] == "timeout"
        and data["preset"] == "video-transcode"
    )
    assert data["reasons"][0]["rests_on"] == "max timeout 900 s (15 min)"
    assert data["reasons"][0]["lesson"] == 11
    assert data["monthly_cost_usd"] is None


def test_description_as_json_with_cost_and_cold_share(capsys):
    code, out, _ = run(
        capsys,
        "--duration-s",
        "0.2",
        "--longest-s",
        "3",
        "--requests",
        "1000000",
        "--p99-ms",
        "300",
        "--traffic",
        "spiky",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "fit with care" and data["key_reason"] == "cold-starts"
    assert round(data["monthly_cost_usd"], 3) == 1.867  # a JSON number, not a string
    assert round(data["cold_share"], 3) == 0.073  # 1 - exp(-(1 M / 2,628,000 s) x 0.2 s)


def test_options_override_a_preset(capsys):
    code, out, _ = run(capsys, "--preset", "rest-api", "--state", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["verdict"] == "poor fit" and data["key_reason"] == "in-memory-state"
    assert data["workload"]["requests_per_month"] == 1_000_000  # the rest is the preset's


def test_text_output_names_limits_and_lessons(capsys):
    code, out, _ = run(capsys, "--preset", "ml-training")
    assert code == 0
    assert out.startswith("Poor fit (ml-training)")
    assert "no GPU; memory max 10,240 MB" in out and "lesson 11" in out


def test_list_of_presets(capsys):
    code, out, _ = run(capsys, "--list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [p.id for p in PRESETS]
    assert {r["id"]: r["verdict"] for r in rows}["steady-api"] == "poor fit"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "fit needs --preset NAME or --duration-s"),
        (["--preset", "nope"], "--preset: no fit preset 'nope'"),
        (["--duration-s", "abc"], "--duration-s: expected a number, got 'abc'"),
        (["--duration-s", "-1"], "--duration-s: must be 0 or more (got -1)"),
        (["--duration-s", "inf"], "--duration-s: expected a finite number, got 'inf'"),
        (
            ["--duration-s", "5", "--longest-s", "2"],
            "longest_duration_s must be at least typical_duration_s",
        ),
        (["--duration-s", "1", "--requests", "1.5"], "--requests: expected a whole number"),
        (
            ["--duration-s", "1", "--memory-mb", "20000"],
            "memory_mb: Input should be less than or equal to 10240",
        ),
        (["--duration-s", "0"], "typical_duration_s: Input should be greater than 0"),
    ],
)
def test_bad_input_exits_2_with_a_reason(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err


def test_unknown_traffic_pattern_is_an_argparse_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "--duration-s", "1", "--traffic", "bursty"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'bursty'" in capsys.readouterr().err

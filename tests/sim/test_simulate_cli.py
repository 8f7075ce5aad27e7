"""`serverless-tutor simulate` and `simulate sweep`."""

import json
import subprocess
import sys

import pytest

from serverless_tutor.cli import main

WORKLOAD = [
    "--arrival-rate",
    "0.5",
    "--warm-ms",
    "100",
    "--cold-ms",
    "600",
    "--keep-alive-s",
    "60",
    "--horizon-s",
    "20000",
]
JSON_KEYS = {
    "requests",
    "coldStarts",
    "coldStartProbability",
    "rejectionProbability",
    "avgInstances",
    "avgRunning",
    "avgIdle",
    "avgLifespanS",
    "latencyMs",
}


def test_json_has_the_documented_keys_and_is_reproducible(capsys):
    assert main(["simulate", *WORKLOAD, "--seed", "4", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert set(first) >= JSON_KEYS
    assert set(first["latencyMs"]) == {"p50", "p95", "p99"}
    assert first["requests"] == first["coldStarts"] + first["warmStarts"] + first["rejections"]
    assert main(["simulate", *WORKLOAD, "--seed", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first


def test_policy_options_reach_the_model(capsys):
    assert (
        main(
            [
                "simulate",
                *WORKLOAD,
                "--service-dist",
                "const",
                "--max-concurrency",
                "1",
                "--provisioned",
                "1",
                "--warmup-every",
                "30",
                "--json",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["coldStarts"] == 0  # the provisioned environment serves everything it can
    assert result["rejections"] > 0  # a second request while it is busy is rejected
    assert result["pings"] > 0
    assert result["latencyMs"]["p50"] == pytest.approx(100.0)


def test_runtime_fills_in_the_cold_time_from_the_estimator(capsys):
    no_cold = [arg for arg in WORKLOAD if arg not in ("--cold-ms", "600")]
    assert (
        main(["simulate", *no_cold, "--runtime", "dotnet", "--service-dist", "const", "--json"])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    # .NET at 128 MB: 3.3 s init (published median) + the 100 ms handler.
    assert result["latencyMs"]["p99"] == pytest.approx(3400.0)


def test_human_output_is_a_table(capsys):
    assert main(["simulate", *WORKLOAD]) == 0
    out = capsys.readouterr().out
    assert "cold-start probability" in out and "avg lifespan" in out and "cost" in out


def test_replications_give_confidence_intervals(capsys):
    assert main(["simulate", *WORKLOAD, "--replications", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    ci = result["ci95"]["cold_start_probability"]
    assert ci["runs"] == 3 and ci["low"] <= ci["mean"] <= ci["high"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--warm-ms", "100"],
            "missing --arrival-rate (or --trace), --cold-ms (or --runtime), --keep-alive-s, --horizon-s",
        ),
        ([*WORKLOAD, "--runtime", "java"], "--cold-ms or --runtime, not both"),
        ([*WORKLOAD[:2], "--warm-ms", "-1", *WORKLOAD[4:]], "--warm-ms must be more than 0"),
        (
            [*WORKLOAD, "--provisioned", "3", "--max-concurrency", "2"],
            "--provisioned must be 0 to --max-concurrency",
        ),
        ([*WORKLOAD, "--trace", "x.csv"], "not both"),
    ],
)
def test_usage_errors_exit_2_with_a_reason(capsys, args, message):
    assert main(["simulate", *args]) == 2
    assert message in capsys.readouterr().err


def test_bad_trace_file_is_a_usage_error(tmp_path, capsys):
    trace = tmp_path / "t.csv"
    trace.write_text("time_s\n1\nlater\n")
    args = ["--trace", str(trace), *WORKLOAD[2:]]
    assert main(["simulate", *args]) == 2
    assert "line 3: time_s" in capsys.readouterr().err


def test_argparse_type_errors_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "serverless_tutor", "simulate", "--arrival-rate", "fast"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "argument --arrival-rate: expected a number, got 'fast'" in result.stderr


def test_sweep_prints_a_table_and_charts(capsys):
    assert (
        main(["simulate", "sweep", "--param", "keep-alive-s", "--values", "10,60,600", *WORKLOAD])
        == 0
    )
    out = capsys.readouterr().out
    assert "sweep of keep-alive (s)" in out
    assert "cold-start probability by keep-alive (s)" in out
    assert "average instances by keep-alive (s)" in out
    assert "█" in out


def test_sweep_json_and_errors(capsys):
    assert (
        main(
            ["simulate", "sweep", "--param", "provisioned", "--values", "0,1", *WORKLOAD, "--json"]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert [point["value"] for point in result["points"]] == [0, 1]
    assert result["points"][1]["coldStarts"] <= result["points"][0]["coldStarts"]
    assert main(["simulate", "sweep", "--param", "colour", "--values", "1", *WORKLOAD]) == 2
    assert "unknown --param 'colour'" in capsys.readouterr().err
    assert main(["simulate", "sweep", "--param", "provisioned", "--values", "1,x", *WORKLOAD]) == 2
    assert (
        "--values: expected a number, got 'x' (--values takes comma-separated numbers)"
        in capsys.readouterr().err
    )


def _without(option: str) -> list[str]:
    """A short workload without one option (and its value)."""
    short = [*WORKLOAD[:-1], "2000"]
    if option not in short:
        return short
    at = short.index(option)
    return short[:at] + short[at + 2 :]


@pytest.mark.parametrize(
    ("param", "option", "values"),
    [
        ("keep-alive-s", "--keep-alive-s", [60, 600]),
        ("arrival-rate", "--arrival-rate", [0.5, 2]),
        ("provisioned", "--provisioned", [0, 2]),
        ("warmup-every-s", "--warmup-every", [0, 30]),
        ("max-concurrency", "--max-concurrency", [1, 5]),
    ],
)
def test_the_swept_parameter_needs_no_option_of_its_own(param, option, values, capsys):
    text = ",".join(f"{v:g}" for v in values)
    argv = ["simulate", "sweep", "--param", param, "--values", text, *_without(option), "--json"]
    assert main(argv) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    assert [point["value"] for point in json.loads(captured.out)["points"]] == values
    assert captured.err == ""


def test_a_swept_parameter_given_as_an_option_too_is_ignored_with_a_note(capsys):
    argv = ["simulate", "sweep", "--param", "keep-alive-s", "--values", "0,600", *_without("")]
    assert main([*argv, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        "serverless-tutor: note: --keep-alive-s 60 is ignored: --param keep-alive-s sets it\n"
    )
    points = json.loads(captured.out)["points"]
    assert points[0]["coldStarts"] == points[0]["requests"]  # keep-alive 0: every request is cold


def test_the_service_time_distribution_is_named_in_text_and_json(capsys):
    assert main(["simulate", *_without(""), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert all(  # money is a JSON number, not a string
        isinstance(value, int | float) for key, value in result["cost"].items() if key != "period"
    )
    assert result["serviceTimes"] == {
        "distribution": "exp",
        "warm": "exponential, mean 100 ms",
        "cold": "exponential, mean 600 ms",
    }
    assert main(["simulate", *_without(""), "--service-dist", "const"]) == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line == "Service times: warm constant 100 ms; cold constant 600 ms"
    sweep = ["simulate", "sweep", "--param", "provisioned", "--values", "0", *_without("")]
    assert main([*sweep, "--service-dist", "lognormal", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["serviceTimes"]["warm"] == "log-normal, median 88.25 ms, mean 100 ms, sigma 0.5"
    assert result["points"][0]["serviceTimes"] == result["serviceTimes"]
    assert main(sweep) == 0
    assert capsys.readouterr().out.startswith("Service times: warm exponential, mean 100 ms;")

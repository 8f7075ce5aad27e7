"""`serverless-tutor cost ...`: JSON keys and numbers, tables, exit codes."""

import json
import subprocess
import sys
from decimal import Decimal

import pytest

from serverless_tutor.cli import main

BILL_KEYS = [
    "requests",
    "gbSeconds",
    "requestCost",
    "computeCost",
    "provisionedCost",
    "ephemeralCost",
    "freeTierCredit",
    "total",
]
WORKED = ["cost", "--requests", "10000000", "--duration-ms", "200", "--memory-mb", "512"]


def run_json(capsys, argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out, parse_float=Decimal)


def test_json_has_exactly_the_bill_keys_as_full_precision_numbers(capsys):
    data = run_json(capsys, WORKED)
    assert list(data) == BILL_KEYS
    assert all(isinstance(v, int | Decimal) for v in data.values())
    assert data["total"] == Decimal("18.6667")
    assert data["computeCost"] == Decimal("16.6667")
    assert data["gbSeconds"] == 1_000_000


def test_json_free_tier_provisioned_ephemeral_arm(capsys):
    data = run_json(
        capsys,
        [
            "cost",
            "--requests",
            "10000",
            "--duration-ms",
            "100",
            "--memory-mb",
            "1024",
            "--arch",
            "arm64",
            "--provisioned-concurrency",
            "2",
            "--provisioned-hours",
            "1",
            "--ephemeral-mb",
            "1536",
        ],
    )
    assert data["provisionedCost"] == 7200 * Decimal("0.0000033334") + 1000 * Decimal(
        "0.0000077778"
    )
    assert data["computeCost"] == 0
    assert data["ephemeralCost"] == 1000 * Decimal("0.0000000309")
    free = run_json(capsys, [*WORKED, "--free-tier"])
    assert free["freeTierCredit"] == Decimal("6.86668")


def test_table_shows_formula_and_cents(capsys):
    assert main(WORKED) == 0
    out = capsys.readouterr().out
    assert "$18.67" in out and "$0.0000166667" in out and "1,000,000 GB-s" in out


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["cost", "--requests", "-5", "--duration-ms", "200", "--memory-mb", "512"], "--requests"),
        (["cost", "--requests", "5", "--duration-ms", "200", "--memory-mb", "64"], "--memory-mb"),
        (
            ["cost", "--requests", "5", "--duration-ms", "200", "--memory-mb", "10241"],
            "--memory-mb",
        ),
        (
            [
                "cost",
                "--requests",
                "5",
                "--duration-ms",
                "200",
                "--memory-mb",
                "512",
                "--arch",
                "sparc",
            ],
            "--arch",
        ),
        (
            [
                "cost",
                "--requests",
                "5",
                "--duration-ms",
                "200",
                "--memory-mb",
                "512",
                "--ephemeral-mb",
                "256",
            ],
            "--ephemeral-mb",
        ),
        (
            [
                "cost",
                "--requests",
                "5",
                "--duration-ms",
                "200",
                "--memory-mb",
                "512",
                "--ephemeral-mb",
                "20000",
            ],
            "--ephemeral-mb",
        ),
        (["cost", "--requests", "5", "--duration-ms", "-1", "--memory-mb", "512"], "--duration-ms"),
        (
            [
                "cost",
                "--requests",
                "5",
                "--duration-ms",
                "200",
                "--memory-mb",
                "512",
                "--provisioned-hours",
                "3",
            ],
            "--provisioned-hours",
        ),
        (["cost", "tune", "--duration-ms", "100", "--cpu-share", "2"], "--cpu-share"),
        (
            [
                "cost",
                "breakeven",
                "--server-monthly",
                "0",
                "--duration-ms",
                "100",
                "--memory-mb",
                "128",
            ],
            "--server-monthly",
        ),
        (["cost", "batch", "--items", "10", "--batch-size", "0"], "--batch-size"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, reason):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err


def test_subprocess_exit_code_and_stderr():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "serverless_tutor",
            "cost",
            "--requests",
            "1",
            "--duration-ms",
            "1",
            "--memory-mb",
            "99999",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "serverless-tutor: error: --memory-mb: must be between 128 and 10240 MB (got 99999)"
    )


def test_tune_breakeven_batch_presets_json(capsys):
    tune = run_json(capsys, ["cost", "tune", "--duration-ms", "200", "--at-memory-mb", "512"])
    assert tune["cheapest"] == 1024 and tune["fastest"] == 1769
    measured = run_json(capsys, ["cost", "tune", "--measured", "128=800,1024=100"])
    assert [p["memoryMb"] for p in measured["points"]] == [128, 1024]
    breakeven = run_json(
        capsys, ["cost", "breakeven", "--duration-ms", "200", "--memory-mb", "512"]
    )
    assert breakeven["requests"] == 26_785_667 and breakeven["serverMonthlyUsd"] == 50
    batch = run_json(capsys, ["cost", "batch", "--items", "1000000", "--batch-size", "100"])
    assert batch["batched"]["invocations"] == 10_000
    presets = run_json(capsys, ["cost", "presets"])
    assert {p["id"]: p["matchesChapter"] for p in presets}["pay-per-use"] is False


def test_other_tables_print(capsys):
    for argv in (
        ["cost", "tune", "--duration-ms", "200"],
        ["cost", "breakeven", "--duration-ms", "200", "--memory-mb", "512"],
        ["cost", "batch", "--items", "1000", "--batch-size", "10"],
        ["cost", "presets"],
    ):
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "26,785,667" in out and "slip" in out and "Batching saves" in out and "balanced" in out


def test_a_broken_price_file_exits_2_naming_file_and_field(capsys, tmp_path):
    broken = tmp_path / "prices.yaml"
    broken.write_text("source: https://aws.amazon.com/lambda/pricing/\n")
    assert main([*WORKED, "--prices", str(broken)]) == 2
    err = capsys.readouterr().err
    assert str(broken) in err and "as_of" in err

"""The cold-start estimator reproduces the published medians it is built from (docs/facts.md)."""

import pytest

from serverless_tutor.sim import estimate_cold_start
from serverless_tutor.sim.estimator import RUNTIME_MEDIAN_S, package_penalty_s


@pytest.mark.parametrize(
    ("runtime", "seconds"),
    [("python", 0.22), ("nodejs", 0.26), ("go", 0.31), ("java", 0.37), ("container", 0.79)],
)
def test_runtime_medians_with_a_tiny_package(runtime, seconds):
    estimate = estimate_cold_start(runtime, memory_mb=2048, package_mb=0.001)
    assert estimate.total_s == pytest.approx(seconds)
    assert estimate.download_code_s == 0


def test_memory_matters_for_dotnet_not_for_python():
    assert estimate_cold_start("dotnet", memory_mb=128).init_runtime_s == pytest.approx(3.3)
    assert estimate_cold_start("dotnet", memory_mb=2048).init_runtime_s == pytest.approx(0.52)
    middle = estimate_cold_start("dotnet", memory_mb=512).init_runtime_s
    assert 0.52 < middle < 3.3
    assert (
        estimate_cold_start("python", memory_mb=128).total_s
        == estimate_cold_start("python", memory_mb=4096).total_s
    )


def test_package_size_follows_the_node_measurements():
    # 0.26 s at 1 KB, 1.7 s at 14 MB, 3.9 s at 35 MB on Node: the excess over 1 KB.
    assert package_penalty_s(14) == pytest.approx(1.7 - 0.26)
    assert package_penalty_s(35) == pytest.approx(3.9 - 0.26)
    assert estimate_cold_start("nodejs", package_mb=14).total_s == pytest.approx(1.7)
    assert package_penalty_s(7) < package_penalty_s(14) < package_penalty_s(50)


def test_vpc_adds_nothing_but_explains_why_and_init_code_is_its_own_phase():
    estimate = estimate_cold_start("python", vpc=True, init_code_s=0.3)
    assert estimate.total_s == pytest.approx(RUNTIME_MEDIAN_S["python"] + 0.3)
    assert any("Hyperplane" in note for note in estimate.notes)
    split = estimate.init_split().fractions()
    assert split[2] == pytest.approx(0.3 / 0.52)


def test_estimator_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown runtime"):
        estimate_cold_start("cobol")
    with pytest.raises(ValueError, match="128 to 10,240"):
        estimate_cold_start("python", memory_mb=64)
    with pytest.raises(ValueError, match="package size"):
        estimate_cold_start("python", package_mb=300)

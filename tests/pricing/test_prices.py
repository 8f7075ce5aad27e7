"""The price file is validated content: a broken one fails with its file and field."""

from pathlib import Path

import pytest
import yaml

from serverless_tutor.content.validate import validate
from serverless_tutor.pricing.prices import SHIPPED_PRICES, load_prices, parse_prices
from serverless_tutor.problems import ContentError


def write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(SHIPPED_PRICES.read_text())
    change(data)
    path = tmp_path / "prices.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def problems_for(path: Path) -> list[str]:
    return [p.line() for p in validate([path])]


def test_shipped_prices_are_valid_and_have_source_and_date():
    table = parse_prices(SHIPPED_PRICES)
    assert table.source.host == "aws.amazon.com"
    assert table.as_of.year >= 2026
    assert validate([SHIPPED_PRICES]) == []


def test_all_shipped_content_includes_the_price_file(monkeypatch):
    import serverless_tutor.content.validate as module

    kinds = [kind for kind in module.KINDS if kind.name == "prices"]
    assert kinds and kinds[0].shipped() == [SHIPPED_PRICES]


def test_unquoted_price_is_refused_naming_the_field(tmp_path):
    def change(data):
        data["architectures"]["arm64"]["request_per_million"] = 0.2

    path = write(tmp_path, change)
    # yaml.safe_dump writes floats unquoted, so the file really holds a float
    [line] = problems_for(path)
    assert line.startswith(f"{path}: architectures.arm64.request_per_million:")
    assert "quoted decimal" in line


def test_missing_architecture_is_refused(tmp_path):
    def change(data):
        del data["architectures"]["arm64"]

    [line] = problems_for(write(tmp_path, change))
    assert "architectures: missing arm64" in line


def test_tiers_must_ascend_and_end_unbounded(tmp_path):
    def descending(data):
        data["architectures"]["x86_64"]["duration_tiers"][1]["up_to_gb_seconds"] = 1000

    def bounded(data):
        data["architectures"]["arm64"]["duration_tiers"][2]["up_to_gb_seconds"] = 10**12

    [line] = problems_for(write(tmp_path, descending))
    assert (
        line.startswith(f"{tmp_path / 'prices.yaml'}: architectures.x86_64:")
        and "strictly increase" in line
    )
    [line] = problems_for(write(tmp_path, bounded))
    assert "architectures.arm64" in line and "last tier" in line


def test_missing_field_and_bad_date(tmp_path):
    def change(data):
        del data["source"]
        data["as_of"] = "late 2026"

    lines = problems_for(write(tmp_path, change))
    assert any(": source: required field is missing" in line for line in lines)
    assert any(": as_of:" in line for line in lines)


def test_negative_price_is_refused(tmp_path):
    def change(data):
        data["architectures"]["x86_64"]["ephemeral_per_gb_second"] = "-0.1"

    [line] = problems_for(write(tmp_path, change))
    assert "architectures.x86_64.ephemeral_per_gb_second" in line


def test_load_prices_raises_content_error_for_a_broken_file(tmp_path):
    path = tmp_path / "prices.yaml"
    path.write_text("source: [unclosed\n")
    with pytest.raises(ContentError) as caught:
        load_prices(path)
    assert caught.value.problems[0].file == str(path)


def test_other_yaml_is_not_claimed_as_a_price_file(tmp_path):
    other = tmp_path / "serverless.yml"
    other.write_text("service: orders\nprovider:\n  name: aws\n")
    from serverless_tutor.pricing.prices import is_price_file

    assert not is_price_file(other)
    assert is_price_file(SHIPPED_PRICES)

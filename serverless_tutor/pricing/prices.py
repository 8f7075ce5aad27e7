"""The price table: one YAML data file with its source and date, validated by pydantic at load."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    model_validator,
)

from serverless_tutor.limits import MIN_EPHEMERAL_MB
from serverless_tutor.problems import ContentError, Problem, problems_from_validation
from serverless_tutor.yaml_files import load_yaml_mapping

Architecture = Literal["x86_64", "arm64"]
ARCHITECTURES: tuple[Architecture, ...] = ("x86_64", "arm64")
SHIPPED_PRICES = Path(__file__).with_name("prices.yaml")


def _quoted_decimal(value: object) -> object:
    # YAML reads an unquoted 0.0000166667 as a float, which is already inexact;
    # prices must be written as strings so they reach Decimal digit for digit.
    if isinstance(value, float):
        raise ValueError(
            f'a quoted decimal string such as "0.20" (got the unquoted number {value!r}, read as a float)'
        )
    if isinstance(value, bool):
        raise ValueError('a quoted decimal string such as "0.20"')
    return value


Price = Annotated[Decimal, BeforeValidator(_quoted_decimal), Field(gt=0, allow_inf_nan=False)]


class DurationTier(BaseModel):
    """A band of monthly GB-seconds billed at one rate; the last band has no upper bound."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    up_to_gb_seconds: int | None = Field(
        gt=0, description="cumulative upper bound of the band; null for the last band"
    )
    per_gb_second: Price


class ArchitecturePrices(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    request_per_million: Price
    duration_tiers: list[DurationTier] = Field(min_length=1)
    provisioned_capacity_per_gb_second: Price
    provisioned_duration_per_gb_second: Price
    ephemeral_per_gb_second: Price

    @model_validator(mode="after")
    def _tiers_ascend(self) -> ArchitecturePrices:
        bounds = [tier.up_to_gb_seconds for tier in self.duration_tiers]
        if bounds[-1] is not None:
            raise ValueError(
                "duration_tiers: the last tier must have up_to_gb_seconds: null (no upper bound)"
            )
        if any(bound is None for bound in bounds[:-1]):
            raise ValueError("duration_tiers: only the last tier may have up_to_gb_seconds: null")
        finite = [b for b in bounds[:-1] if b is not None]
        if finite != sorted(set(finite)):
            raise ValueError(
                "duration_tiers: up_to_gb_seconds must strictly increase from tier to tier"
            )
        return self

    @property
    def request_rate(self) -> Decimal:
        """USD per single request."""
        return self.request_per_million / Decimal(1_000_000)

    @property
    def first_tier_rate(self) -> Decimal:
        return self.duration_tiers[0].per_gb_second


class FreeTier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: int = Field(ge=0)
    gb_seconds: int = Field(ge=0)


class PriceTable(BaseModel):
    """Everything the bill needs, for one region."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: HttpUrl
    as_of: datetime.date
    region: str = Field(min_length=1)
    currency: Literal["USD"]
    free_tier: FreeTier
    provisioned_rounding_seconds: int = Field(gt=0)
    ephemeral_included_mb: int = Field(ge=MIN_EPHEMERAL_MB)
    architectures: dict[Architecture, ArchitecturePrices]

    @model_validator(mode="after")
    def _both_architectures(self) -> PriceTable:
        missing = [a for a in ARCHITECTURES if a not in self.architectures]
        if missing:
            raise ValueError(
                f"architectures: missing {', '.join(missing)} (need both x86_64 and arm64)"
            )
        return self

    def for_architecture(self, architecture: Architecture) -> ArchitecturePrices:
        return self.architectures[architecture]


def parse_prices(path: Path) -> PriceTable:
    """Load a price file; raise ContentError naming the file and field on any problem."""
    data = load_yaml_mapping(path, expected="a YAML mapping with source, as_of, architectures, ...")
    try:
        return PriceTable.model_validate(data)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(path, exc)) from None


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> PriceTable:
    return parse_prices(path)


def load_prices(path: Path | str | None = None) -> PriceTable:
    """The shipped price table, or the one at path. Cached until the file changes."""
    target = Path(path) if path is not None else SHIPPED_PRICES
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as exc:
        raise ContentError(
            [
                Problem(
                    file=str(target),
                    field="(file)",
                    expected=f"an existing price file ({exc.strerror})",
                )
            ]
        ) from None
    return _load_cached(target.resolve(), mtime)


def is_price_file(path: Path) -> bool:
    """A YAML file whose top level declares the price table's own keys."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    try:
        head = path.read_text(encoding="utf-8")[:4000]
    except (OSError, UnicodeDecodeError):
        return False
    lines = {
        line.split(":", 1)[0]
        for line in head.splitlines()
        if line and not line[0].isspace() and ":" in line
    }
    return "architectures" in lines and "free_tier" in lines


def validate_price_files(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            parse_prices(path)
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems


def shipped_price_files() -> list[Path]:
    return [SHIPPED_PRICES]

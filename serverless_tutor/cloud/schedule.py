"""EventBridge schedule expressions: `rate(5 minutes)` and `cron(0 12 * * ? *)`.

Cron has six fields, all in UTC: minutes, hours, day-of-month, month, day-of-week,
year. One of day-of-month and day-of-week must be `?`. Day-of-week runs 1-7 from
SUN to SAT (not 0-6 as in Unix cron). Supported tokens: `*`, `?`, lists `a,b`,
ranges `a-b`, steps `*/n` and `a/n`, names (JAN, MON), `L` (last day of month, or
last given weekday like `6L`), `W` (nearest weekday, `15W`, `LW`) and `#` (`2#1`,
the first Monday).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS = {k.upper(): v for k, v in _MONTHS.items()}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    expression: str
    seconds: int

    def next_after(self, moment: datetime, created: datetime) -> datetime:
        """Rates count from when the rule was created."""
        if moment < created:
            return created + timedelta(seconds=self.seconds)
        periods = int((moment - created).total_seconds() // self.seconds) + 1
        return created + timedelta(seconds=periods * self.seconds)


@dataclass(frozen=True)
class Cron:
    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: str  # kept as text: L and W depend on the month
    months: frozenset[int]
    days_of_week: str
    years: frozenset[int] | None

    def next_after(self, moment: datetime, created: datetime | None = None) -> datetime:
        """The first matching minute strictly after `moment` (UTC)."""
        candidate = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = candidate.year + 200
        while candidate.year <= limit:
            if self.years is not None and candidate.year not in self.years:
                later = [y for y in self.years if y > candidate.year]
                if not later:
                    break
                candidate = datetime(min(later), 1, 1, tzinfo=UTC)
                continue
            if candidate.month not in self.months:
                candidate = _first_of_next_month(candidate)
                continue
            if not self._day_matches(candidate):
                candidate = (candidate + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if candidate.hour not in self.hours:
                candidate = (candidate + timedelta(hours=1)).replace(minute=0)
                continue
            if candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
                continue
            return candidate
        raise ScheduleError(f"{self.expression} never fires again")

    def _day_matches(self, day: datetime) -> bool:
        if self.days_of_month != "?":
            return _day_of_month_matches(self.days_of_month, day)
        return _day_of_week_matches(self.days_of_week, day)


Schedule = Rate | Cron


def parse_schedule(expression: str) -> Schedule:
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value <= 0:
            raise ScheduleError(f"{expression}: the rate must be a positive number")
        if value == 1 and unit.endswith("s"):
            raise ScheduleError(
                f"{expression}: EventBridge wants the singular for 1 ('rate(1 {unit[:-1]})')"
            )
        if value != 1 and not unit.endswith("s"):
            raise ScheduleError(
                f"{expression}: EventBridge wants the plural above 1 ('rate({value} {unit}s)')"
            )
        return Rate(expression=text, seconds=value * _UNIT_SECONDS[unit.rstrip("s")])
    if text.startswith("rate("):
        raise ScheduleError(
            f"{expression}: expected rate(<number> minute|minutes|hour|hours|day|days)"
        )
    cron = _CRON.match(text)
    if not cron:
        raise ScheduleError(f"{expression}: expected rate(...) or cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(
            f"{expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}"
        )
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(
            f"{expression}: exactly one of day-of-month and day-of-week must be '?'"
        )
    if dom != "?":
        _check_day_of_month(dom, expression)
    if dow != "?":
        _check_day_of_week(dow, expression)
    return Cron(
        expression=text,
        minutes=_field(minute, 0, 59, {}, expression, "minutes"),
        hours=_field(hour, 0, 23, {}, expression, "hours"),
        days_of_month=dom,
        months=_field(month, 1, 12, _MONTHS, expression, "month"),
        days_of_week=dow,
        years=None if year == "*" else _field(year, 1970, 2199, {}, expression, "year"),
    )


def _field(
    text: str, low: int, high: int, names: dict[str, int], expression: str, label: str
) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"{expression}: bad step in the {label} field: {step_text!r}")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names, expression, label), _value(b, names, expression, label)
        else:
            start = _value(part, names, expression, label)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleError(f"{expression}: {label} must be within {low}-{high}")
        if start <= end:
            values.update(range(start, end + 1, step))
        else:  # wrap-around range such as NOV-FEB
            values.update(
                v
                for i, v in enumerate(list(range(start, high + 1)) + list(range(low, end + 1)))
                if i % step == 0
            )
    return frozenset(values)


def _value(text: str, names: dict[str, int], expression: str, label: str) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if text.isdigit():
        return int(text)
    raise ScheduleError(f"{expression}: {text!r} is not valid in the {label} field")


def _check_day_of_month(text: str, expression: str) -> None:
    for part in text.split(","):
        if part in ("L", "LW") or re.fullmatch(r"\d{1,2}W", part):
            continue
        _field(part, 1, 31, {}, expression, "day-of-month")


def _check_day_of_week(text: str, expression: str) -> None:
    for part in text.split(","):
        if part == "L" or re.fullmatch(r"([1-7]|[A-Z]{3})L", part.upper()):
            continue
        if "#" in part:
            day, nth = part.split("#", 1)
            _value(day, _DAYS, expression, "day-of-week")
            if not nth.isdigit() or not 1 <= int(nth) <= 5:
                raise ScheduleError(f"{expression}: '#{nth}' must be 1-5")
            continue
        _field(part, 1, 7, _DAYS, expression, "day-of-week")


def _day_of_month_matches(text: str, day: datetime) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    for part in text.split(","):
        if part == "L":
            if day.day == last:
                return True
        elif part == "LW":
            if day.day == _nearest_weekday(day.year, day.month, last):
                return True
        elif part.endswith("W"):
            if day.day == _nearest_weekday(day.year, day.month, min(int(part[:-1]), last)):
                return True
        elif day.day in _field(part, 1, 31, {}, text, "day-of-month"):
            return True
    return False


def _day_of_week_matches(text: str, day: datetime) -> bool:
    weekday = (day.weekday() + 1) % 7 + 1  # Monday=0 in Python; SUN=1 ... SAT=7 in EventBridge
    last = calendar.monthrange(day.year, day.month)[1]
    for part in text.upper().split(","):
        if part == "L":
            if weekday == 7:
                return True
        elif part.endswith("L"):
            wanted = _value(part[:-1], _DAYS, text, "day-of-week")
            if weekday == wanted and day.day + 7 > last:
                return True
        elif "#" in part:
            name, nth = part.split("#", 1)
            if weekday == _value(name, _DAYS, text, "day-of-week") and (
                day.day - 1
            ) // 7 + 1 == int(nth):
                return True
        elif weekday in _field(part, 1, 7, _DAYS, text, "day-of-week"):
            return True
    return False


def _nearest_weekday(year: int, month: int, target: int) -> int:
    weekday = calendar.weekday(year, month, target)  # Monday=0
    last = calendar.monthrange(year, month)[1]
    if weekday == 5:  # Saturday: Friday before, or Monday after when the 1st
        return target - 1 if target > 1 else target + 2
    if weekday == 6:  # Sunday: Monday after, or Friday before when the last day
        return target + 1 if target < last else target - 2
    return target


def _first_of_next_month(moment: datetime) -> datetime:
    if moment.month == 12:
        return datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    return datetime(moment.year, moment.month + 1, 1, tzinfo=UTC)

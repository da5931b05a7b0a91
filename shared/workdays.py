"""Working days (工作日) in China: weekdays, less the public holidays, plus the make-up working
days (调休) of the State Council's notice for each year, shipped as data in shared/calendars/."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

log = logging.getLogger("deedflow.workdays")

# Statutory time limits run in Beijing time: a case lodged at 23:30 UTC is lodged the next day.
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
# A directory of further {year}.json calendars (the same form as shared/calendars/), for a year
# whose notice is published after this release; a year there replaces the shipped one.
EXTRA_CALENDARS_ENV = "DEEDFLOW_CALENDARS_DIR"


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str
    provisional: bool
    holidays: frozenset[dt.date]
    makeup_workdays: frozenset[dt.date]


def parse_calendar(text: str) -> YearCalendar:
    """One year's calendar from its JSON: holiday ranges (inclusive) and make-up working days,
    each inside the year, a make-up day never a holiday."""
    raw = json.loads(text)
    year = int(raw["year"])
    holidays: set[dt.date] = set()
    for first, last in raw["holidays"]:
        day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        if end < day:
            raise ValueError(f"{year}: holiday range {first}..{last} runs backwards")
        while day <= end:
            holidays.add(day)
            day += dt.timedelta(days=1)
    makeup = {dt.date.fromisoformat(d) for d in raw["makeup_workdays"]}
    strays = sorted(d for d in holidays | makeup if d.year != year)
    if strays:
        raise ValueError(f"{year}: days outside the year: {strays}")
    if holidays & makeup:
        raise ValueError(f"{year}: days both holiday and make-up working day: {sorted(holidays & makeup)}")
    return YearCalendar(year, raw["source"], bool(raw["provisional"]), frozenset(holidays), frozenset(makeup))


@functools.cache
def calendars() -> dict[int, YearCalendar]:
    """The shipped calendars, then any in DEEDFLOW_CALENDARS_DIR, by year."""
    found: dict[int, YearCalendar] = {}
    for item in resources.files("shared.calendars").iterdir():
        if item.name.endswith(".json"):
            calendar = parse_calendar(item.read_text(encoding="utf-8"))
            found[calendar.year] = calendar
    extra = os.environ.get(EXTRA_CALENDARS_ENV)
    if extra:
        for path in sorted(Path(extra).glob("*.json")):
            calendar = parse_calendar(path.read_text(encoding="utf-8"))
            found[calendar.year] = calendar
    for calendar in found.values():
        if calendar.provisional:
            log.warning(
                "provisional working-day calendar",
                extra={"fields": {"year": calendar.year, "source": calendar.source}},
            )
    return found


def is_working_day(day: dt.date) -> bool:
    """A make-up working day works; a holiday does not; otherwise Monday to Friday. A year with
    no calendar counts weekdays only (and says so in the log once)."""
    calendar = calendars().get(day.year)
    if calendar is None:
        _warn_missing(day.year)
        return day.weekday() < 5
    if day in calendar.makeup_workdays:
        return True
    return day.weekday() < 5 and day not in calendar.holidays


@functools.cache
def _warn_missing(year: int) -> None:
    log.warning("no working-day calendar; counting weekdays only", extra={"fields": {"year": year}})


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the `days`-th working day counted from the day after `start` (CQ 25: 自受理
    登记申请次日起), in Beijing time."""
    day = start.astimezone(BEIJING).date()
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=BEIJING)
    return end.astimezone(start.tzinfo or dt.UTC)

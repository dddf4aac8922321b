"""What every demo file agrees on: the notice that it is fiction, and the invented vessels.

The report's vessel table and the memo's both list these ships; one list keeps their
IMO and MMSI numbers the same in both, so searching finds them in several sources.
"""

from __future__ import annotations

from dataclasses import dataclass

FICTION_NOTICE = "FICTIONAL - FOR SOFTWARE DEMONSTRATION ONLY"


@dataclass(frozen=True)
class Vessel:
    """An invented ship as the report and the memo describe it."""

    name: str
    imo: str
    mmsi: str
    flag: str
    kind: str
    last_seen: str


# Invented vessels. IMO numbers carry a valid check digit; MMSIs start with the flag's MID.
VESSELS = (
    Vessel("NORTHERN LANTERN", "9164029", "273419640", "Russia", "Container feeder", "Dunay"),
    Vessel("MORNING CRANE", "8992314", "445208770", "DPRK", "General cargo", "Rajin"),
    Vessel("AMBER TIDE", "8830475", "445117390", "DPRK", "Product tanker", "Nampo"),
    Vessel("VOSTOK PEARL", "9273519", "273356810", "Russia", "Product tanker", "Shandong"),
    Vessel("SILVER HERON", "9055187", "445301550", "unknown", "Product tanker", "Nampo"),
)
# SILVER HERON broadcasts this identity: a ship reported scrapped in 2019 (also invented).
SPOOFED = Vessel("GREY PETREL", "9412854", "-", "-", "Product tanker (scrapped)", "-")

__all__ = ["FICTION_NOTICE", "SPOOFED", "VESSELS", "Vessel"]

"""Imports: attendees, the schedule, and field visits, from the files organisers really have.

Every import reads the whole file first, reports every bad row with its line number
(`ImportProblems`, nothing changed), then appends what is new or changed in one
transaction as the local station; a dry run computes the same report and appends nothing.
"""

from __future__ import annotations

from db.imports.attendees import import_attendees
from db.imports.presets import ATTENDEE_FIELDS, PRESETS
from db.imports.problems import ImportProblems, Problem
from db.imports.report import ImportReport, Tally
from db.imports.schedule import DEFAULT_CAPACITY, import_schedule, parse_capacities
from db.imports.schedule_files import FORMATS, SCHEDULE_FIELDS
from db.imports.visits import VISIT_FIELDS, import_visits

__all__ = [
    "ATTENDEE_FIELDS",
    "DEFAULT_CAPACITY",
    "FORMATS",
    "PRESETS",
    "SCHEDULE_FIELDS",
    "VISIT_FIELDS",
    "ImportProblems",
    "ImportReport",
    "Problem",
    "Tally",
    "import_attendees",
    "import_schedule",
    "import_visits",
    "parse_capacities",
]

"""The demo's 700 attendees: invented people, each with a name, an organisation, a city and a role.

Every city and region of the places list sends at least one attendee (so the demo really spans
the 27 countries), the others come in proportion to each country's weight. Most people carry a
name of the country they work in; a few work abroad, as people do.
"""

from __future__ import annotations

import random
from collections import Counter

from db.demo.model import DemoAttendee
from db.demo.names import NAMES, NATIVE_NAMES, TWO_FAMILY_NAMES, family_name, split
from db.demo.organisations import PLACELESS_ROLES, organisation
from db.demo.places import CITIES, COUNTRIES, Place, all_places, place_named
from db.demo.programme import EVENT_ID, ROLE_COUNTS

#: Share of attendees whose name comes from another country than the one they work in.
ABROAD = 0.06
#: Share of Spanish and Portuguese attendees who write both family names.
BOTH_FAMILY_NAMES = 0.6
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def make_attendees(rng: random.Random) -> list[DemoAttendee]:
    """700 attendees "A0001".."A0700" in registration order (no tags yet)."""
    roles = [role for role, count in ROLE_COUNTS for _ in range(count)]
    rng.shuffle(roles)
    local = sum(1 for role in roles if role not in PLACELESS_ROLES)
    homes = list(all_places())
    while len(homes) < local:
        homes.append(_weighted_place(rng))
    rng.shuffle(homes)
    left = Counter(place.name for place in homes)
    namer = _Namer(rng)
    refs: set[str] = set()
    attendees = []
    for number, role in enumerate(roles, start=1):
        if role in PLACELESS_ROLES:
            home = place_named("Brussels")
            org, where = organisation(role, home, rng, may_move=False)
            nationality = "BE" if role == "staff" and rng.random() < 0.8 else _weighted_country(rng)
        else:
            home = homes.pop()
            org, where = organisation(role, home, rng, may_move=left[home.name] > 1)
            left[home.name] -= 1
            left[where.name] += 1
            nationality = home.country if rng.random() >= ABROAD else _weighted_country(rng)
        first, last = namer.person(nationality)
        attendees.append(
            DemoAttendee(
                id=f"A{number:04d}",
                name=f"{first} {last}",
                first=first,
                last=last,
                org=org,
                city=where.name,
                country=where.country_name,
                role=role,
                ref=_ref(rng, refs),
            )
        )
    return attendees


def _weighted_country(rng: random.Random) -> str:
    codes = list(COUNTRIES)
    return rng.choices(codes, weights=[COUNTRIES[c][1] for c in codes])[0]


def _weighted_place(rng: random.Random) -> Place:
    """A place drawn by country weight; capitals draw three times as many people."""
    code = _weighted_country(rng)
    places = [p for p in all_places() if p.country == code]
    capital = CITIES[code].split(",")[0]
    return rng.choices(places, weights=[3 if p.name == capital else 1 for p in places])[0]


def _ref(rng: random.Random, taken: set[str]) -> str:
    """A registration reference as a ticketing system prints it ("SDC24-K7QX2")."""
    while True:
        ref = f"{EVENT_ID}-" + "".join(rng.choice(REF_ALPHABET) for _ in range(5))
        if ref not in taken:
            taken.add(ref)
            return ref


class _Namer:
    """Draws names, never the same full name twice, every second Greek and Bulgarian in their own script."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.native_turn: Counter[str] = Counter()

    def person(self, country: str) -> tuple[str, str]:
        native = False
        if country in NATIVE_NAMES:
            self.native_turn[country] += 1
            native = self.native_turn[country] % 2 == 0
        lists = NATIVE_NAMES[country] if native else NAMES[country]
        for _ in range(50):
            female = self.rng.random() < 0.5
            first = self.rng.choice(split(lists[0] if female else lists[1]))
            families = split(lists[2])
            last = family_name(self.rng.choice(families), female)
            if country in TWO_FAMILY_NAMES and self.rng.random() < BOTH_FAMILY_NAMES:
                second = family_name(self.rng.choice(families), female)
                if second != last:
                    last = f"{last} {second}"
            if f"{first} {last}" not in self.used:
                break
        self.used.add(f"{first} {last}")
        return first, last

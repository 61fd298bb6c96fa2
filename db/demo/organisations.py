"""Which organisation an attendee of a given role comes from, and so which city is on the badge.

Templates are per role, separately for cities and for regions. `{council}` is the city's own
name for its council ("Ville de Liège", "Stad Gent", "Comune di Bologna"), `{place}` the city
or region, `{country}` the country. A template starting with "@" belongs to a national body,
which sits in the capital.
"""

from __future__ import annotations

import random

from db.demo.places import Place, place_named

COUNCIL: dict[str, str] = {
    "fr": "Ville de {place}",
    "nl-BE": "Stad {place}",
    "nl": "Gemeente {place}",
    "de": "Stadt {place}",
    "it": "Comune di {place}",
    "es": "Ayuntamiento de {place}",
    "ca": "Ajuntament de {place}",
    "sv": "{place} stad",
    "da": "{place} Kommune",
    "en": "City of {place}",
}

#: Councils whose own name does not follow their language's pattern (genitive forms).
COUNCIL_NAMES: dict[str, str] = {
    "København": "Københavns Kommune",
    "Stockholm": "Stockholms stad",
    "Göteborg": "Göteborgs Stad",
    "Uppsala": "Uppsala kommun",
    "Örebro": "Örebro kommun",
}

CITY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "elected official": ("{council}", "{council}", "{place} City Council"),
    "public officer": (
        "Urban Security Department, {council}",
        "Prevention Service, {council}",
        "{place} Crime Prevention Council",
        "Public Space Department, {council}",
        "@Ministry of the Interior, {country}",
    ),
    "magistrate": (
        "Public Prosecutor's Office, {place}",
        "Court of First Instance, {place}",
        "Youth Court, {place}",
        "@Ministry of Justice, {country}",
    ),
    "police": (
        "{place} Local Police",
        "{place} Municipal Police",
        "Prevention Unit, {place} Police",
        "@National Police, {country}",
    ),
    "social worker": (
        "Social Mediation Service, {council}",
        "Street Work {place}",
        "Youth Outreach Team {place}",
        "Harm Reduction Service {place}",
    ),
    "researcher": (
        "University of {place}",
        "{place} Institute of Criminology",
        "Centre for Urban Security Studies, {place}",
        "Department of Sociology, University of {place}",
    ),
    "private sector": (
        "Urbanova Consulting",
        "Safepath Systems",
        "Vigilo Data",
        "Helios Street Lighting",
        "Agora Mobility",
        "Concordia Risk Advisory",
    ),
    "civil society": (
        "Neighbourhood Network {place}",
        "{place} Youth Forum",
        "@Victim Support {country}",
        "Women's Safety Collective {place}",
        "Migrant Support Centre {place}",
        "Citizens' Assembly {place}",
    ),
    "press": ("{place} Daily", "Radio {place}", "Urban Affairs Weekly", "Cities Review"),
}

REGION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "elected official": ("Regional Parliament of {place}", "Regional Government of {place}"),
    "public officer": ("Prevention Unit, Regional Government of {place}", "{place} Regional Crisis Centre"),
    "magistrate": ("Court of Appeal, {place}",),
    "police": ("{place} Regional Police",),
    "social worker": ("{place} Regional Social Services",),
    "researcher": ("{place} Regional Observatory of Security",),
    "private sector": CITY_TEMPLATES["private sector"],
    "civil society": ("{place} Federation of Neighbourhood Associations",),
    "press": ("{place} Regional Television",),
}

#: EU bodies and their seats (as the places list writes them).
EU_BODIES: tuple[tuple[str, str], ...] = (
    ("European Commission, DG Migration and Home Affairs", "Brussels"),
    ("European Commission, DG Regional and Urban Policy", "Brussels"),
    ("European Parliament", "Brussels"),
    ("European Committee of the Regions", "Brussels"),
    ("Council of the European Union", "Brussels"),
    ("Europol", "Den Haag"),
    ("Eurojust", "Den Haag"),
    ("EU Agency for Fundamental Rights", "Wien"),
    ("European Union Drugs Agency", "Lisboa"),
    ("CEPOL, EU Agency for Law Enforcement Training", "Budapest"),
)

STAFF_ORGANISATIONS = ("Conference Secretariat", "Conference Secretariat", "Venue Services", "Volunteer Team")

#: Roles whose organisation does not depend on where the attendee lives.
PLACELESS_ROLES = ("EU institution", "staff")


def council(place: Place) -> str:
    """The city's own name for its council."""
    if place.name in COUNCIL_NAMES:
        return COUNCIL_NAMES[place.name]
    template = COUNCIL.get(place.language, COUNCIL["en"])
    if template.startswith("Ville de ") and place.name[0] in "AEIOUÉÈÎ":
        template = "Ville d'{place}"
    return template.format(place=place.name)


def organisation(role: str, place: Place, rng: random.Random, *, may_move: bool) -> tuple[str, Place]:
    """An organisation for an attendee of `role` living in `place`, and the place it sits in.

    `may_move` allows national bodies (which sit in the capital); the caller forbids it when
    this attendee is the only one from `place`, so that every place keeps someone.
    """
    if role == "EU institution":
        name, seat = rng.choice(EU_BODIES)
        return name, place_named(seat)
    if role == "staff":
        return rng.choice(STAFF_ORGANISATIONS), place_named("Brussels")
    templates = (REGION_TEMPLATES if place.region else CITY_TEMPLATES)[role]
    if not may_move:
        templates = tuple(t for t in templates if not t.startswith("@")) or templates
    template = rng.choice(templates)
    where = place
    if template.startswith("@"):
        template, where = template[1:], place.capital
    text = template.format(place=place.name, country=place.country_name, council=council(place) if not place.region else place.name)
    return text, where

"""Header names of attendee exports: pretix, Eventbrite, and hand-made spreadsheets in
English, French, Dutch and German. Each field lists its headers in order of preference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from db.imports.columns import normal

#: Fields a column can be mapped to with `--map COLUMN=FIELD`.
ATTENDEE_FIELDS = ("id", "name", "first", "last", "org", "city", "country", "role", "email", "phone", "ref", "tag")

PRESETS = ("auto", "pretix", "eventbrite", "plain")

PLAIN: dict[str, tuple[str, ...]] = {
    "id": ("id", "attendee id", "participant id", "badge id", "identifiant", "id participant", "deelnemer id"),
    "name": (
        "full name", "attendee name", "nom complet", "volledige naam", "vollstandiger name",
        "name", "nom", "naam", "participant", "deelnemer", "teilnehmer",
    ),
    "first": ("first name", "firstname", "given name", "forename", "prenom", "voornaam", "vorname"),
    "last": (
        "last name", "lastname", "surname", "family name", "nom de famille", "achternaam",
        "familienaam", "nachname", "familienname",
    ),
    "org": (
        "organisation", "organization", "org", "company", "organisme", "societe", "entreprise",
        "institution", "employeur", "organisatie", "bedrijf", "instelling", "firma",
        "unternehmen", "affiliation", "employer",
    ),
    "city": ("city", "ville", "commune", "localite", "stad", "gemeente", "woonplaats", "stadt", "ort", "town", "municipality"),
    "country": ("country", "pays", "land", "nation"),
    "role": (
        "role", "function", "fonction", "functie", "funktion", "category", "categorie",
        "profile", "profil", "type", "job title", "poste",
    ),
    "email": (
        "email", "e mail", "email address", "e mail address", "mail", "courriel", "adresse email",
        "adresse e mail", "e mailadres", "emailadres",
    ),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "gsm", "portable", "telefoon", "telefon", "handy", "cell phone"),
    "ref": (
        "ref", "reference", "registration id", "registration number", "ticket number", "ticket id",
        "numero", "referentie", "inschrijvingsnummer",
    ),
    "tag": ("ticket type", "ticket", "tag", "tags", "product", "type de billet", "tarif"),
    "status": ("status", "statut"),
}

PRETIX: dict[str, tuple[str, ...]] = {
    "ref": ("order code",),
    "position": ("position id",),
    "name": ("attendee name",),
    "first": ("attendee name given name", "attendee name first name"),
    "last": ("attendee name family name", "attendee name last name"),
    "email": ("attendee email",),
    "buyer_email": ("email",),
    "phone": ("phone number",),
    "org": ("company",),
    "city": ("city",),
    "country": ("country",),
    "tag": ("product",),
    "status": ("status",),
}

EVENTBRITE: dict[str, tuple[str, ...]] = {
    "ref": ("attendee #",),
    "first": ("first name",),
    "last": ("last name",),
    "email": ("email",),
    "org": ("company",),
    "role": ("job title",),
    "city": ("work city", "city", "home city"),
    "country": ("work country", "country", "home country"),
    "phone": ("cell phone", "work phone", "home phone"),
    "tag": ("ticket type",),
    "status": ("attendee status",),
}

#: Row statuses that mean "not coming": such rows are skipped, with a warning.
NOT_COMING = frozenset(
    {"canceled", "cancelled", "expired", "refunded", "not attending", "deleted", "annule", "annulee",
     "rembourse", "storniert", "geannuleerd", "terugbetaald"}
)

#: Row statuses of an order not paid yet: imported (they may pay at the desk), named in a warning.
PENDING = frozenset({"pending", "unpaid", "en attente", "non paye", "ausstehend", "offen", "in afwachting", "openstaand"})

#: Generic headers that mean the family name when the file also has a first-name column.
AMBIGUOUS_NAME = frozenset({"name", "nom", "naam"})


def detect(header: Sequence[str]) -> str:
    """Which preset a header looks like: pretix, eventbrite or plain."""
    normals = {normal(h) for h in header}
    if "order code" in normals and normals & {"attendee name", "position id", "product", "attendee email"}:
        return "pretix"
    if "attendee #" in normals or {"first name", "last name", "ticket type", "order #"} <= normals:
        return "eventbrite"
    return "plain"


def aliases(preset: str) -> Mapping[str, tuple[str, ...]]:
    """The header table of a preset: its own names first, then the hand-made ones."""
    own = {"pretix": PRETIX, "eventbrite": EVENTBRITE}.get(preset, {})
    fields = list(dict.fromkeys([*own.keys(), *PLAIN.keys()]))
    return {f: tuple(dict.fromkeys([*own.get(f, ()), *PLAIN.get(f, ())])) for f in fields}


#: Headers only the attendee (position) rows of a pretix export have.
_POSITION_HEADERS = frozenset({"position id", "attendee name", "attendee email", "attendee name given name"})


def pretix_orders_sheet(header: Sequence[str]) -> bool:
    """True for pretix's "Orders" sheet: one row per order, whose name is the buyer's (the
    invoice address), not one row per attendee."""
    normals = {normal(h) for h in header}
    return "order code" in normals and bool(normals & {"order total", "positions"}) and not normals & _POSITION_HEADERS


def pick_attendee_sheet(headers: Sequence[tuple[str, ...]]) -> int:
    """The sheet of a workbook that lists attendees: pretix's "Order positions" when the
    workbook is pretix's "Order data" (Orders, Order positions, Order fees), else the first."""
    for index, header in enumerate(headers):
        if {normal(h) for h in header} & _POSITION_HEADERS:
            return index
    return 0

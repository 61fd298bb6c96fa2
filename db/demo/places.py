"""Where the demo's attendees come from: 27 EU countries and their cities and regions.

Places are written as the people living there write them (Liège, Kraków, Malmö, Iași), as a
registration form would receive them. The first city of each country is its capital, where
ministries sit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

#: code -> (English name, relative weight among attendees, language of city-council names).
COUNTRIES: dict[str, tuple[str, int, str]] = {
    "AT": ("Austria", 15, "de"),
    "BE": ("Belgium", 110, "fr"),
    "BG": ("Bulgaria", 10, "en"),
    "CY": ("Cyprus", 6, "en"),
    "CZ": ("Czechia", 12, "en"),
    "DE": ("Germany", 60, "de"),
    "DK": ("Denmark", 12, "da"),
    "EE": ("Estonia", 6, "en"),
    "ES": ("Spain", 55, "es"),
    "FI": ("Finland", 10, "en"),
    "FR": ("France", 90, "fr"),
    "GR": ("Greece", 15, "en"),
    "HR": ("Croatia", 10, "en"),
    "HU": ("Hungary", 12, "en"),
    "IE": ("Ireland", 12, "en"),
    "IT": ("Italy", 55, "it"),
    "LT": ("Lithuania", 8, "en"),
    "LU": ("Luxembourg", 8, "fr"),
    "LV": ("Latvia", 6, "en"),
    "MT": ("Malta", 6, "en"),
    "NL": ("Netherlands", 35, "nl"),
    "PL": ("Poland", 25, "en"),
    "PT": ("Portugal", 25, "en"),
    "RO": ("Romania", 15, "en"),
    "SE": ("Sweden", 15, "sv"),
    "SI": ("Slovenia", 8, "en"),
    "SK": ("Slovakia", 8, "en"),
}

#: code -> cities, capital first.
CITIES: dict[str, str] = {
    "AT": "Wien, Graz, Linz, Salzburg, Innsbruck",
    "BE": "Brussels, Antwerpen, Gent, Liège, Charleroi, Mons, Namur, Leuven, Brugge, Mechelen, Kortrijk, Oostende, Hasselt, Molenbeek-Saint-Jean, Schaerbeek, Anderlecht, Seraing",
    "BG": "Sofia, Plovdiv, Varna, Burgas",
    "CY": "Nicosia, Limassol",
    "CZ": "Praha, Brno, Ostrava, Plzeň",
    "DE": "Berlin, Hamburg, München, Köln, Frankfurt am Main, Düsseldorf, Stuttgart, Leipzig, Dortmund, Essen, Bremen, Nürnberg",
    "DK": "København, Aarhus, Odense, Aalborg",
    "EE": "Tallinn, Tartu",
    "ES": "Madrid, Barcelona, Valencia, Sevilla, Zaragoza, Málaga, Bilbao, Murcia, Córdoba, Girona, Donostia-San Sebastián",
    "FI": "Helsinki, Espoo, Tampere, Oulu",
    "FR": "Paris, Marseille, Lyon, Toulouse, Nice, Nantes, Strasbourg, Montpellier, Bordeaux, Lille, Rennes, Saint-Étienne, Grenoble, Aubervilliers, Évry-Courcouronnes",
    "GR": "Athína, Thessaloniki, Patra, Irakleio, Piraeus",
    "HR": "Zagreb, Split, Rijeka, Osijek",
    "HU": "Budapest, Debrecen, Szeged, Pécs, Győr",
    "IE": "Dublin, Cork, Limerick, Galway",
    "IT": "Roma, Milano, Napoli, Torino, Palermo, Genova, Bologna, Firenze, Bari, Padova, Reggio Emilia",
    "LT": "Vilnius, Kaunas, Klaipėda",
    "LU": "Luxembourg, Esch-sur-Alzette, Differdange",
    "LV": "Rīga, Liepāja",
    "MT": "Valletta, Birkirkara",
    "NL": "Amsterdam, Rotterdam, Den Haag, Utrecht, Eindhoven, Groningen, Tilburg, Almere",
    "PL": "Warszawa, Kraków, Łódź, Wrocław, Poznań, Gdańsk, Lublin",
    "PT": "Lisboa, Porto, Braga, Coimbra, Setúbal, Amadora",
    "RO": "București, Cluj-Napoca, Iași, Timișoara, Constanța, Brașov",
    "SE": "Stockholm, Göteborg, Malmö, Uppsala, Örebro",
    "SI": "Ljubljana, Maribor, Koper",
    "SK": "Bratislava, Košice, Žilina",
}

#: code -> regions that send their own delegates (regional government, regional police).
REGIONS: dict[str, str] = {
    "BE": "Wallonie, Vlaanderen",
    "DE": "Nordrhein-Westfalen",
    "ES": "Catalunya, Euskadi",
    "FR": "Île-de-France, Auvergne-Rhône-Alpes",
    "IT": "Emilia-Romagna, Lombardia",
    "NL": "Noord-Brabant",
    "PL": "Mazowieckie",
    "PT": "Região Norte",
}

#: Places whose council names are written in another language than their country's default.
PLACE_LANGUAGE: dict[str, str] = {
    "Brussels": "en",
    "Antwerpen": "nl-BE",
    "Gent": "nl-BE",
    "Leuven": "nl-BE",
    "Brugge": "nl-BE",
    "Mechelen": "nl-BE",
    "Kortrijk": "nl-BE",
    "Oostende": "nl-BE",
    "Hasselt": "nl-BE",
    "Barcelona": "ca",
    "Girona": "ca",
    "Bilbao": "en",
    "Donostia-San Sebastián": "en",
}


@dataclass(frozen=True, slots=True)
class Place:
    """A city or region an attendee comes from."""

    name: str
    country: str  # code, e.g. "BE"
    region: bool = False

    @property
    def country_name(self) -> str:
        return COUNTRIES[self.country][0]

    @property
    def language(self) -> str:
        return PLACE_LANGUAGE.get(self.name, COUNTRIES[self.country][2])

    @property
    def capital(self) -> Place:
        """The capital of this place's country (where ministries and national bodies sit)."""
        return Place(CITIES[self.country].split(",")[0].strip(), self.country)


@cache
def all_places() -> tuple[Place, ...]:
    """Every city and region, country by country, in a fixed order."""
    places: list[Place] = []
    for code in COUNTRIES:
        places += [Place(name.strip(), code) for name in CITIES[code].split(",")]
        places += [Place(name.strip(), code, True) for name in REGIONS.get(code, "").split(",") if name.strip()]
    return tuple(places)


@cache
def place_named(name: str) -> Place:
    """The place called `name` (the seat of an EU body, the host city)."""
    for place in all_places():
        if place.name == name:
            return place
    raise KeyError(name)

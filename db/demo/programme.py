"""The demo event's programme: rooms, sessions and field visits of *Security, Democracy & Cities*.

Written as the organisers would plan it: plenaries in the big room, parallel workshops in the
ateliers, field visits on the second afternoon. Salon Magritte is deliberately small, so the
workshops placed there fill up and the doors say "ROOM FULL".
"""

from __future__ import annotations

EVENT_ID = "SDC24"
EVENT_NAME = "Security, Democracy & Cities"
DAYS = ("2024-03-20", "2024-03-21", "2024-03-22")
TZ = "Europe/Brussels"
#: When the organiser set the demo up: the day before the event, at noon in Brussels.
SETUP_AT = "2024-03-19T12:00"

#: (id, name, capacity)
ROOMS: tuple[tuple[str, str, int], ...] = (
    ("R1", "Plenary", 400),
    ("R2", "Agora", 150),
    ("R3", "Atelier A", 80),
    ("R4", "Atelier B", 60),
    ("R5", "Atelier C", 50),
    ("R6", "Atelier D", 40),
    ("R7", "Salle Horta", 60),
    ("R8", "Salon Magritte", 24),
)
SMALL_ROOM = "R8"

#: (day index, start, end, room, title); plenaries are the sessions in R1.
SESSIONS: tuple[tuple[int, str, str, str, str], ...] = (
    (0, "09:30", "10:45", "R1", "Opening plenary: security, democracy and cities, why local matters"),
    (0, "11:15", "12:45", "R2", "Polarisation and trust: keeping the local public debate safe"),
    (0, "11:15", "12:45", "R3", "Preventing violent radicalisation at neighbourhood level"),
    (0, "11:15", "12:45", "R4", "Night-time economy: safe, lively and inclusive nights"),
    (0, "11:15", "12:45", "R5", "Local crime prevention councils: what makes them work"),
    (0, "11:15", "12:45", "R8", "Video surveillance and data protection: the mayor's dilemmas"),
    (0, "14:15", "15:45", "R2", "Drug policy in the city: harm reduction and public order"),
    (0, "14:15", "15:45", "R3", "Women's safety in public space"),
    (0, "14:15", "15:45", "R6", "Youth participation in local security policy"),
    (0, "14:15", "15:45", "R7", "Hate crime: recording, reporting, responding"),
    (0, "14:15", "15:45", "R8", "Artificial intelligence and predictive policing: promises and limits"),
    (0, "16:15", "17:30", "R1", "Plenary: local democracy under pressure, threats against elected officials"),
    (1, "09:00", "10:15", "R1", "Plenary: cities facing crises, from pandemics to floods"),
    (1, "10:45", "12:15", "R2", "Resilient cities: crisis management with citizens"),
    (1, "10:45", "12:15", "R3", "Social mediation and conflict resolution in neighbourhoods"),
    (1, "10:45", "12:15", "R4", "Victim support at the local level"),
    (1, "10:45", "12:15", "R5", "Cybersecurity for municipalities"),
    (1, "10:45", "12:15", "R6", "Restorative justice in the community"),
    (1, "10:45", "12:15", "R7", "Evaluating prevention: evidence that convinces a city council"),
    (1, "14:00", "15:30", "R2", "Migration, reception and social cohesion"),
    (1, "14:00", "15:30", "R3", "Police and communities: building trust"),
    (1, "14:00", "15:30", "R8", "Designing out crime: urban planning and prevention"),
    (2, "09:30", "11:00", "R2", "Sport, culture and prevention for young people"),
    (2, "09:30", "11:00", "R3", "Organised crime: the administrative approach of cities"),
    (2, "09:30", "11:00", "R4", "Homelessness, public space and the right to the city"),
    (2, "09:30", "11:00", "R6", "Disinformation and local elections"),
    (2, "09:30", "11:00", "R7", "Mayors' round table: a European urban security agenda"),
    (2, "11:30", "13:00", "R1", "Closing plenary: the Brussels declaration on security, democracy and cities"),
)
PLENARY_ROOM = "R1"

#: (id, day index, depart, return, title, bus capacities, attendees assigned)
VISITS: tuple[tuple[str, int, str, str, str, tuple[int, ...], int], ...] = (
    ("V1", 1, "13:30", "16:30", "A safe consumption room: harm reduction in the city centre", (30,), 24),
    ("V2", 1, "13:30", "17:00", "The Regional Crisis Management Centre", (50, 20), 60),
    ("V3", 1, "13:45", "17:00", "Technology for crime prevention: the city's video and data lab", (40,), 35),
    ("V4", 1, "13:45", "17:15", "Public space management: squares, parks and the night-time economy", (45, 25), 58),
    ("V5", 1, "14:00", "17:30", "Social mediation in the neighbourhoods", (20,), 20),
)

#: How many attendees of each role register (sums to 700).
ROLE_COUNTS: tuple[tuple[str, int], ...] = (
    ("elected official", 84),
    ("public officer", 168),
    ("magistrate", 25),
    ("police", 84),
    ("social worker", 63),
    ("researcher", 84),
    ("private sector", 42),
    ("civil society", 70),
    ("EU institution", 35),
    ("press", 21),
    ("staff", 24),
)
#: Roles the programme committee invites speakers from.
SPEAKER_ROLES = (
    "elected official",
    "public officer",
    "magistrate",
    "police",
    "social worker",
    "researcher",
    "civil society",
    "EU institution",
)
#: Speakers per session: plenaries have a panel, workshops two or three.
PLENARY_SPEAKERS = 4
WORKSHOP_SPEAKERS = (2, 3)
#: Elected officials tagged "vip" (mayors and regional ministers: protocol at the desk).
VIP_COUNT = 12

"""Exports as pretix and Eventbrite write them, built row by row for the tests.

The headers are pretix's own (`src/pretix/base/exporters/orderlist.py`, "Order data":
`iterate_orders` for the Orders sheet, `iterate_positions` for Order positions, with the
"Title Given Family" name scheme and two questions), and Eventbrite's attendee report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

POSITION_HEADER = (
    "Event slug", "Order code", "Position ID", "Status", "Email", "Phone number", "Order date", "Order time",
    "Product", "Variation", "Price", "Tax rate", "Tax rule", "Tax value", "Attendee name",
    "Attendee name: Title", "Attendee name: Given name", "Attendee name: Family name", "Attendee email",
    "Company", "Address", "ZIP code", "City", "Country", "State", "Voucher", "Pseudonymization ID",
    "Seat ID", "Seat name", "Seat zone", "Seat row", "Seat number", "Order comment", "Follow-up date",
    "Function", "Dietary requirements",
    "Company", "Invoice address name", "Invoice address name: Title", "Invoice address name: Given name",
    "Invoice address name: Family name", "Address", "ZIP code", "City", "Country", "State", "VAT ID",
    "Sales channel", "Order locale", "E-mail address verified", "Payment providers",
)  # fmt: skip

ORDERS_HEADER = (
    "Event slug", "Order code", "Order total", "Status", "Email", "Phone number", "Order date", "Order time",
    "Company", "Name", "Title", "Given name", "Family name", "Address", "ZIP code", "City", "Country", "State",
    "Custom address field", "VAT ID", "Date of last payment", "Fees", "Order locale",
    "Gross at 21.00 % tax", "Net at 21.00 % tax", "Tax value at 21.00 % tax", "Invoice numbers", "Sales channel",
    "Requires special attention", "Comment", "Follow-up date", "Positions", "E-mail address verified",
    "Payment providers",
)  # fmt: skip

FEES_HEADER = (
    "Event slug", "Order code", "Status", "Email", "Phone number", "Order date", "Order time", "Fee type",
    "Description", "Price", "Tax rate", "Tax rule", "Tax value", "Company", "Invoice address name",
    "Invoice address name: Title", "Invoice address name: Given name", "Invoice address name: Family name",
    "Address", "ZIP code", "City", "Country", "State", "VAT ID", "Payment providers",
)  # fmt: skip

EVENTBRITE_HEADER = (
    "Order #", "Order Date", "First Name", "Last Name", "Email", "Quantity", "Ticket Type", "Attendee #", "Group",
    "Order Type", "Currency", "Total Paid", "Fees Paid", "Eventbrite Fees", "Eventbrite Payment Processing",
    "Attendee Status", "Home City", "Home Country", "Cell Phone", "Job Title", "Company", "Work City", "Work Country",
)  # fmt: skip


@dataclass(frozen=True)
class Position:
    """One pretix order position: a ticket (with an attendee) or an add-on (often without)."""

    order: str
    position: int
    given: str
    family: str
    email: str = ""
    company: str = ""
    city: str = ""
    country: str = ""
    status: str = "paid"
    product: str = "Full conference pass"
    function: str = "Public officer"

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.given, self.family) if p)

    def row(self) -> list[str]:
        cells = dict.fromkeys(POSITION_HEADER, "")
        values = {
            "Event slug": "sdc2024", "Order code": self.order, "Position ID": str(self.position), "Status": self.status,
            "Email": self.email or "office@example.org", "Order date": "2024-01-15", "Order time": "10:12:44",
            "Product": self.product, "Price": "350.00", "Tax rate": "21.00", "Tax rule": "VAT BE", "Tax value": "60.74",
            "Attendee name": self.name, "Attendee name: Given name": self.given, "Attendee name: Family name": self.family,
            "Attendee email": self.email, "Company": self.company, "City": self.city, "Country": self.country,
            "Pseudonymization ID": f"P{self.order}{self.position}", "Function": self.function if self.name else "",
            "Sales channel": "web", "Order locale": "en", "E-mail address verified": "Yes",
            "Payment providers": "Bank transfer",
        }  # fmt: skip
        row = []
        seen: set[str] = set()
        for header in POSITION_HEADER:  # the attendee's columns first; the invoice address repeats some names
            row.append(values.get(header, "") if header not in seen else cells[header])
            seen.add(header)
        return row


PEOPLE = [
    Position("AB3KX", 1, "Élodie", "Lefèvre", "elodie.lefevre@liege.be", "Ville de Liège", "Liège", "BE"),
    Position("GR7PA", 1, "Γεώργιος", "Παπαδόπουλος", "g.papadopoulos@athens.gr", "Δήμος Αθηναίων", "Αθήνα", "GR"),
    Position("KV2UA", 1, "Олена", "Шевченко", "o.shevchenko@kyivcity.gov.ua", "Київська міська рада", "Київ", "UA"),
    Position("LDZ9Q", 1, "Agnieszka", "Wiśniewska", "a.wisniewska@uml.lodz.pl", "Urząd Miasta Łodzi", "Łódź", "PL"),
    Position("HN4VN", 1, "Nguyễn Thị", "Hương", "huong.nt@hanoi.gov.vn", "UBND Hà Nội", "Hà Nội", "VN"),
    Position("HW8CE", 1, "Niels", "Jansen", "n.jansen@rotterdam.nl", "Gemeente Rotterdam", "Rotterdam", "NL"),
]


def positions_csv(positions: Sequence[Position], sep: str = ";") -> str:
    """The Order positions sheet as pretix's CSV export writes it (with a BOM when saved)."""
    lines = [sep.join(POSITION_HEADER)]
    lines += [sep.join(p.row()) for p in positions]
    return "\n".join(lines) + "\n"


def positions_rows(positions: Sequence[Position]) -> list[list[str | int | float]]:
    """The Order positions sheet of pretix's .xlsx: Position ID is a number there."""
    rows: list[list[str | int | float]] = [list(POSITION_HEADER)]
    for p in positions:
        rows.append([int(c) if h == "Position ID" else c for h, c in zip(POSITION_HEADER, p.row(), strict=True)])
    return rows


def orders_rows(positions: Sequence[Position]) -> list[list[str | int | float]]:
    """The Orders sheet: one row per order, named after the buyer (the invoice address)."""
    rows: list[list[str | int | float]] = [list(ORDERS_HEADER)]
    for p in positions:
        if p.position != 1:
            continue
        values: dict[str, str | int | float] = {"Event slug": "sdc2024", "Order code": p.order, "Order total": 350.0, "Status": p.status,
                  "Email": p.email, "Name": "Secretariat " + p.company, "Positions": 1}  # fmt: skip
        rows.append([values.get(h, "") for h in ORDERS_HEADER])
    return rows


def fees_rows() -> list[list[str | int | float]]:
    return [list(FEES_HEADER), ["sdc2024", "AB3KX", "paid", "", "", "2024-01-15", "10:12:44", "Payment fee", "", 1.5]]

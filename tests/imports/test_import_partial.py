"""Partial imports on request, through `eventops import attendees` and `eventops badges
revoke`: `--skip-invalid` imports the good rows and lists the others; pending and
cancelled orders are named; `--revoke-missing` revokes the badges of people cancelled or
gone, and a desk then refuses them."""

from __future__ import annotations

import json
from pathlib import Path

from db.connect import connect
from db.fold import load_state
from db.revocations import is_revoked
from tests.imports.conftest import event_count, fingerprint, ids_by_name, run
from tests.imports.exports import EVENTBRITE_HEADER, PEOPLE, Position, positions_csv


def revoked(db_path: Path) -> set[str]:
    db = connect(db_path, create=False)
    try:
        state = load_state(db)
        return {a.name for a in state.attendees.values() if is_revoked(state, a.id)}
    finally:
        db.conn.close()


DINNER = Position("AB3KX", 2, "", "", product="Conference dinner (add-on)")
PENDING = Position("RX5NH", 1, "Siobhán", "O'Connor", "s.oconnor@dublincity.ie", status="pending")
CANCELLED = Position("TT2MV", 1, "Pau", "Ortiz", "p.ortiz@bcn.cat", status="canceled")


def test_addon_without_name_blocks_by_default_and_is_listed_with_skip_invalid(closed_event_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "positions.csv"
    sheet.write_text(positions_csv([PEOPLE[0], DINNER, *PEOPLE[1:3]]), encoding="utf-8")
    before = fingerprint(closed_event_db)
    code, _, err = run("import", "attendees", sheet, "--db", closed_event_db)
    assert code == 1 and "line 3: no name (the name columns are empty; product 'Conference dinner (add-on)'" in err
    assert fingerprint(closed_event_db) == before
    code, out, err = run("import", "attendees", sheet, "--db", closed_event_db, "--skip-invalid", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["added"] == 3 and report["events"] == 3
    assert report["skipped"] == [{"line": 3, "reason": "no name (the name columns are empty; product 'Conference dinner (add-on)': an add-on such as a dinner ticket?)"}]
    code, out, _ = run("import", "attendees", sheet, "--db", closed_event_db, "--skip-invalid")
    assert code == 0 and "0 added, 0 updated, 3 unchanged" in out
    assert "skipped 1 invalid row (--skip-invalid):\n    line 3: no name" in out


def test_every_skipped_row_is_listed_not_only_the_first_eight(closed_event_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "many.csv"
    sheet.write_text("Name;City\nAnna Peeters;Gent\n" + "".join(f";City {i}\n" for i in range(12)), encoding="utf-8")
    code, out, _ = run("import", "attendees", sheet, "--db", closed_event_db, "--skip-invalid")
    assert code == 0 and "attendees: 1 added" in out
    assert [line.strip().split(":")[0] for line in out.splitlines() if line.startswith("    line ")] == [f"line {n}" for n in range(3, 15)]
    assert event_count(closed_event_db) == 3


def test_pending_and_cancelled_orders_are_named(closed_event_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "positions.csv"
    sheet.write_text(positions_csv([*PEOPLE[:2], PENDING, CANCELLED]), encoding="utf-8")
    code, out, _ = run("import", "attendees", sheet, "--db", closed_event_db)
    assert code == 0 and "attendees: 3 added" in out
    assert "warning: cancelled, expired or refunded rows skipped: line 5: Pau Ortiz (status canceled), not imported" in out
    assert "warning: order not paid yet, imported: line 4: Siobhán O'Connor (status pending), imported" in out
    assert set(ids_by_name(closed_event_db)) == {PEOPLE[0].name, PEOPLE[1].name, PENDING.name}


def test_revoke_missing_revokes_the_cancelled_and_the_gone_and_the_desk_refuses_them(closed_event_db: Path, tmp_path: Path) -> None:
    db = closed_event_db
    assert run("keys", "init", "--db", db)[0] == 0
    assert run("station", "add", "desk-1", "--kind", "desk", "--db", db)[0] == 0
    first = tmp_path / "monday.csv"
    first.write_text(positions_csv([*PEOPLE[:3], PENDING]), encoding="utf-8")
    assert run("import", "attendees", first, "--db", db)[0] == 0
    ids = ids_by_name(db)
    later = tmp_path / "friday.csv"  # Олена dropped from the export, Siobhán's order cancelled
    later.write_text(positions_csv([*PEOPLE[:2], Position("RX5NH", 1, "Siobhán", "O'Connor", "s.oconnor@dublincity.ie", status="canceled")]), encoding="utf-8")
    code, out, _ = run("import", "attendees", later, "--db", db)
    assert code == 0 and "cancelled in the file but registered: kept, badge still valid" in out
    assert "1 attendee(s) already registered are not in this file" in out and revoked(db) == set()
    code, out, _ = run("import", "attendees", later, "--db", db, "--revoke-missing", "--dry-run")
    assert code == 0 and "would append 2 events" in out and revoked(db) == set()
    code, out, _ = run("import", "attendees", later, "--db", db, "--revoke-missing", "--json")
    report = json.loads(out)
    assert code == 0 and report["badges_revoked"] == 2 and report["events"] == 2
    assert f"Олена Шевченко ({ids['Олена Шевченко']}, not in the file)" in report["warnings"]
    assert f"Siobhán O'Connor ({ids[PENDING.name]}, line 4: cancelled in the file)" in report["warnings"]
    assert revoked(db) == {"Олена Шевченко", "Siobhán O'Connor"}
    code, out, _ = run("import", "attendees", later, "--db", db, "--revoke-missing")
    assert code == 0 and "appended 0 events" in out  # revoked once
    # A desk refuses the revoked badge and admits the others.
    from checkin.badges.keys import issue_token

    conn = connect(db, create=False)
    tokens = {name: issue_token(conn, db, ident) for name, ident in ids.items()}
    conn.close()
    # (The scan runs on the real clock, not on one of the event's days: the admitted one is amber.)
    for name, expected in (("Олена Шевченко", "refused"), (PEOPLE[0].name, "warning")):
        code, out, _ = run("scan", "--db", db, "--station", "desk-1", "--mode", "desk", tokens[name])
        assert code == 0 and json.loads(out)["status"] == expected


def test_badges_revoke_command(closed_event_db: Path, tmp_path: Path) -> None:
    db = closed_event_db
    sheet = tmp_path / "positions.csv"
    sheet.write_text(positions_csv(PEOPLE[:2]), encoding="utf-8")
    assert run("import", "attendees", sheet, "--db", db)[0] == 0
    ident = ids_by_name(db)[PEOPLE[1].name]
    code, out, _ = run("badges", "revoke", ident, "--db", db, "--reason", "order cancelled")
    assert (code, out.strip()) == (0, f"badge of {ident} (serial 1) revoked: order cancelled")
    assert revoked(db) == {PEOPLE[1].name}
    events = event_count(db)
    code, _, err = run("badges", "revoke", ident, "--db", db)
    assert code == 1 and "already revoked; nothing changed" in err and f"badges reissue {ident}" in err
    code, _, err = run("badges", "revoke", "ZZZ99", "--db", db)
    assert code == 1 and "no attendee 'ZZZ99'" in err and len(err.strip().splitlines()) == 1
    assert event_count(db) == events


def test_eventbrite_not_attending_is_named(closed_event_db: Path, tmp_path: Path) -> None:
    report = tmp_path / "eventbrite.csv"

    def row(first: str, last: str, number: str, status: str) -> str:
        values = {"Order #": "7834412201", "First Name": first, "Last Name": last, "Email": f"{first.lower()}@example.org",
                  "Quantity": "1", "Ticket Type": "Early bird", "Attendee #": number, "Attendee Status": status}  # fmt: skip
        return ",".join(values.get(h, "") for h in EVENTBRITE_HEADER)

    report.write_text(
        "\n".join([",".join(EVENTBRITE_HEADER), row("Sophie", "Van den Broeck", "9182733001", "Attending"),
                   row("Tomasz", "Kowalczyk", "9182733002", "Not Attending")]) + "\n",  # fmt: skip
        encoding="utf-8",
    )
    code, out, _ = run("import", "attendees", report, "--db", closed_event_db)
    assert code == 0 and "attendees: 1 added" in out
    assert "line 3: Tomasz Kowalczyk (status Not Attending), not imported" in out

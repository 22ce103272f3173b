"""Lectures in Spanish and German (issue 16, point 1): transcribed in their language by Whisper base,
embedded by multilingual-e5, found by questions in English and in their own language, cited at the
moment the answer is spoken; the creator's language overrides detection; captions say the language."""
from __future__ import annotations

from pathlib import Path

import pytest

from chronos import create_app, languages
from chronos.ai.embedder import E5Embedder
from chronos.ai.transcriber import Transcriber
from chronos.ai.weights import e5_model_file, whisper_model_dir
from chronos.config import load_settings
from chronos.models import creators, vector_index
from chronos.rag.chat import Asker
from tests.conftest import OWNER, add_video, csrf, process, sidecar, signed_in

SLACK_S = 1.0
SHOTS = Path("/tmp/chronos-shots")

# (question, fixture, a phrase of the sentence that answers it)
QUESTIONS = [
    ("Why do clouds form?", "agua.mp4", "forma las nubes"),
    ("Where do the rivers take the rest of the water?", "agua.mp4", "vuelta al mar"),
    ("¿Qué hace el sol con los océanos?", "agua.mp4", "calienta los océanos"),
    ("¿Cómo devuelven las plantas el agua al aire?", "agua.mp4", "transpiración"),
    ("Which tectonic plate started moving north?", "alpen.mp4", "afrikanische Platte"),
    ("How much do the Alps still rise every year?", "alpen.mp4", "einen Millimeter"),
    ("Gegen welche Platte stieß die afrikanische Platte?", "alpen.mp4", "europäische Platte"),
    ("Was ist das Thema dieser Vorlesung?", "alpen.mp4", "Entstehung der Alpen"),
]


@pytest.fixture(scope="session")
def whisper_base(models_dir) -> Transcriber:
    """Whisper base, multilingual (the product's default model), loaded once."""
    return Transcriber(whisper_model_dir("base", models_dir), name="base", device="cpu")


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
    return E5Embedder(e5_model_file())


@pytest.fixture(scope="module")
def library(tmp_path_factory, whisper_base, e5):
    """A Spanish, a German, a French and an English lecture, processed with detection on (no
    language set)."""
    settings = load_settings(tmp_path_factory.mktemp("languages") / "data", env={}, run_scheduler=False,
                             answerer="offline")
    app = create_app(settings, transcriber=whisper_base, embedder=e5)
    sv = app.extensions["chronos"]
    with sv.db.connection() as conn:
        creator = creators.create_owner(conn, OWNER["name"], OWNER["password"])
    ids = {}
    for name in ("agua.mp4", "alpen.mp4", "revolution.mp4", "interest.mp4"):
        video = process(sv, add_video(sv, name).id)
        assert video.status == "completed", video.error
        ids[name] = video.id
    yield app, sv, creator, ids
    sv.close(wait=True)


def test_each_lecture_is_transcribed_in_its_own_language(library):
    _, sv, _, ids = library
    with sv.db.connection() as conn:
        found = {name: conn.execute("SELECT language, transcript FROM videos WHERE id = ?", (vid,)).fetchone()
                 for name, vid in ids.items()}
        index = vector_index.current(conn)
    # The French voice's first 30 s alone sound Latin to Whisper base (la 0.38, fr 0.31): detection
    # listens to more of the lecture until it is sure (transcriber.DETECTION_WINDOWS).
    assert {name: row[0] for name, row in found.items()} == {"agua.mp4": "es", "alpen.mp4": "de",
                                                             "revolution.mp4": "fr", "interest.mp4": "en"}
    assert "nubes" in found["agua.mp4"][1] and "afrikanische Platte" in found["alpen.mp4"][1]
    assert (index.embedder, index.dims) == ("multilingual-e5-small", 384)  # a new library's default


@pytest.mark.parametrize("question, name, phrase", QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_a_question_in_english_or_the_lectures_language_cites_the_moment(library, question, name, phrase):
    _, sv, creator, ids = library
    gold = next(s for s in sidecar(name.replace(".mp4", ""))["sentences"] if phrase in s["text"])
    answer = sv.chat.ask_and_wait(Asker(creator.id), question)
    first = answer["citations"][0]
    assert first["video_id"] == ids[name], answer
    assert first["start_s"] - SLACK_S <= gold["end_s"] and gold["start_s"] <= first["end_s"] + SLACK_S, \
        (first, gold)
    if languages.guess(question) == "en":  # quoted as spoken, and said so
        language = "Spanish" if name == "agua.mp4" else "German"
        assert f"(Quoted in {language}, the language of the lecture.)" in answer["answer"]
    else:
        assert "Quoted in" not in answer["answer"]
        assert answer["answer"].startswith("Esto es lo que dicen" if name == "agua.mp4" else "Das sagen die")


def test_the_video_page_shows_the_language_and_captions_are_in_it(library):
    app, _, _, ids = library
    client = signed_in(app)
    page = client.get(f"/videos/{ids['agua.mp4']}").get_data(as_text=True)
    assert 'srclang="es"' in page and 'label="Transcript (Español)"' in page
    assert '<dd id="language">Spanish' in page
    vtt = client.get(f"/videos/{ids['agua.mp4']}/transcript.vtt").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "nubes" in vtt


def test_the_creators_language_overrides_detection(tmp_path, whisper_base, e5):
    """PATCH language: the Spanish lecture is transcribed again as the creator says (here French),
    not as Whisper would detect it; null goes back to detection without re-transcribing."""
    settings = load_settings(tmp_path / "data", env={}, run_scheduler=False)
    app = create_app(settings, transcriber=whisper_base, embedder=e5)
    sv = app.extensions["chronos"]
    try:
        client = app.test_client()
        client.post("/setup", data={**OWNER, "confirm": OWNER["password"], "csrf_token": csrf(client)})
        video = process(sv, add_video(sv, "agua.mp4").id)
        assert video.language == "es"
        headers = {"X-CSRF-Token": csrf(client)}
        res = client.patch(f"/api/videos/{video.id}", json={"language": "xx"}, headers=headers)
        assert res.status_code == 400 and res.get_json()["fields"] == {"language": res.get_json()["fields"]["language"]}
        res = client.patch(f"/api/videos/{video.id}", json={"language": "fr"}, headers=headers)
        assert res.status_code == 200, res.get_json()
        assert res.get_json()["spoken_language"] == "fr" and res.get_json()["status"] == "pending"
        again = process(sv, video.id)
        assert (again.status, again.language, again.spoken_language) == ("completed", "fr", "fr")
        res = client.patch(f"/api/videos/{video.id}", json={"language": None}, headers=headers)
        assert res.get_json()["spoken_language"] is None and res.get_json()["status"] == "completed"
    finally:
        sv.close(wait=True)


def test_the_owner_fixes_the_language_on_the_video_page(library, browser):
    """In a real browser: the page says the lecture is in German (detected), its caption track is
    German, and choosing Français there transcribes it again in French. (Last: it re-queues a video.)"""
    from playwright.sync_api import expect

    from tests.conftest import LiveServer

    app, sv, _, ids = library
    server = LiveServer(app)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(server.url + "/login")
        page.fill("input[name=name]", OWNER["name"])
        page.fill("input[name=password]", OWNER["password"])
        page.click("button[type=submit]")
        page.goto(f"{server.url}/videos/{ids['alpen.mp4']}")
        expect(page.locator("#language")).to_contain_text("German (detected)")
        assert page.locator("#player track").get_attribute("srclang") == "de"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "video-language.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / "video-language-phone.png"), full_page=True)
        page.select_option("#spoken-language", "fr")
        expect(page.locator("dialog")).to_contain_text("transcribed again in Français")
        with sv.db.connection() as conn:
            row = conn.execute("SELECT spoken_language, status FROM videos WHERE id = ?",
                               (ids["alpen.mp4"],)).fetchone()
        assert tuple(row) == ("fr", "pending")
    finally:
        ctx.close()
        server.stop()

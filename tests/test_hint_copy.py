"""The hint-copy guard: a transcript that copies the hint list is caught and decoded again."""
from __future__ import annotations

from chronos.ai.hint_copy import copy_signs, redo_copied, shift
from chronos.models.transcripts import Segment
from tests.segments import seg

HINTS = ["The Andes: a continent's spine", "Andes", "Tierra del Fuego", "Nazca plate", "Aconcagua",
         "Cotopaxi", "Chimborazo", "Lake Titicaca", "quinoa", "llamas", "alpacas", "La Paz"]


def test_a_segment_that_copies_the_hint_list_is_caught():
    assert copy_signs("Cotopaxi, Cotopaxi, Chimborazo, La Paz, quinoa.", HINTS) > 0
    assert copy_signs("Aconcagua, Cotopaxi, Chimborazo", HINTS) > 0  # three terms in a row
    assert copy_signs("Andes, Andes, Andes", HINTS) > 0  # one term over and over
    # The list's shape without its words: short phrases, a common word capitalised after commas.
    assert copy_signs("de Marcanos, The highest summit on the range, And on the whole western "
                      "hemisphere, In Aconcagua,", HINTS) > 0


def test_ordinary_speech_with_the_terms_is_not():
    for text in ["The highest summit of the range is Aconcagua, in Argentina, at about 6,961 meters.",
                 "Cotopaxi is one of the most active volcanoes, and Chimborazo lies near it.",
                 "Llamas and alpacas descend from wild relatives, and quinoa grows on the slopes.",
                 "Between the ranges lies the Altiplano, where Lake Titicaca sits.",
                 "Andes"]:
        assert copy_signs(text, HINTS) == 0, text
    assert copy_signs("Cotopaxi, Cotopaxi, Chimborazo", []) == 0  # no hints, nothing to copy


def test_copied_segments_are_decoded_again_between_their_neighbours():
    segments = [seg(0.0, 6.0, "The Andes stretch along the western edge of South America."),
                seg(6.5, 9.0, "Cotopaxi, Cotopaxi, Chimborazo, La Paz,"),
                seg(9.0, 12.0, "Aconcagua, Cotopaxi, Chimborazo, quinoa"),
                seg(12.4, 16.0, "The rain gathers into the Amazon.")]
    asked = []

    def redo(start: float, end: float) -> list[Segment]:
        asked.append((start, end))
        return [seg(6.6, 11.8, "The highest summit is Aconcagua in Argentina.")]

    out = redo_copied(segments, HINTS, redo)
    # One stretch, from the end of the good segment before to the start of the one after.
    assert asked == [(6.0, 12.4)]
    assert [s.text for s in out] == ["The Andes stretch along the western edge of South America.",
                                     "The highest summit is Aconcagua in Argentina.",
                                     "The rain gathers into the Amazon."]


def test_a_redo_that_is_no_better_keeps_the_hinted_text():
    segments = [seg(0.0, 4.0, "Cotopaxi, Cotopaxi, Chimborazo")]
    out = redo_copied(segments, HINTS, lambda start, end: [seg(0.0, 4.0, "Andes, Andes, Andes, Andes")])
    assert out == segments
    assert redo_copied([seg(0.0, 4.0, "Cotopaxi erupts often.")], HINTS,
                       lambda start, end: []) == [seg(0.0, 4.0, "Cotopaxi erupts often.")]


def test_a_piece_decoded_alone_is_moved_onto_the_recordings_clock():
    moved = shift(seg(0.5, 2.5, "Cotopaxi erupts"), 60.0)
    assert (moved.start_s, moved.end_s) == (60.5, 62.5)
    assert [(w.start_s, w.end_s) for w in moved.words] == [(60.5, 61.5), (61.5, 62.5)]


def test_a_flagged_stretch_the_plain_decode_agrees_with_keeps_its_names():
    # Many names and commas (a sign), but the hint-free decode heard the same words, misspelled.
    hinted = [seg(0.0, 5.0, "led by Luis Alvarez, his son Walter, Frank Asaro, and Helen Michel,")]
    plain = [seg(0.0, 5.0, "led by Louis Alvarez, his son Walter, Frank Asaro, and Helen Michelle,")]
    assert copy_signs(hinted[0].text, ["Luis Alvarez", "Walter", "Frank Asaro", "Helen Michel"]) > 0
    assert redo_copied(hinted, ["Luis Alvarez", "Walter", "Frank Asaro", "Helen Michel"],
                       lambda start, end: plain) == hinted

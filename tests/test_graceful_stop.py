"""Stopping Chronos lets the running pipeline stage finish and leaves the next stage for the next start."""
from __future__ import annotations

from chronos.models import transcripts, videos
from tests.conftest import add_video


def test_stop_during_transcription_keeps_the_transcript_and_the_next_start_finishes(services):
    video = add_video(services, "interest.mp4")
    runner = services.runner
    publish = runner.pipeline.publish
    stopped: list[bool] = []

    def stop_once_transcribing(event):
        """The creator presses Ctrl+C while Whisper is running (stop() in its own thread, as
        serve does, would wait; here the flag it sets is what matters)."""
        if event.get("video", {}).get("stage") == "transcribe" and not stopped:
            stopped.append(True)
            runner.pipeline.stopping.set()
        publish(event)

    runner.pipeline.publish = stop_once_transcribing
    try:
        outcome = runner.attempt(video.id)
    finally:
        runner.pipeline.publish = publish
    assert stopped and outcome.status == "chunking" and outcome.retry_in is None
    with services.db.connection() as conn:
        stored = videos.get_video(conn, video.id)
        assert stored.status == "chunking" and stored.error is None  # not a failure
        assert transcripts.load_segments(conn, video.id)  # the finished stage is kept

    runner.pipeline.stopping.clear()  # the next start (start() clears it too)
    assert runner.attempt(video.id).status == "completed"


def test_stop_returns_at_once_when_nothing_runs_and_start_clears_it(services):
    runner = services.runner
    assert runner.stop(grace_s=5) is True
    assert runner.pipeline.stopping.is_set()
    runner.start()
    try:
        assert not runner.pipeline.stopping.is_set()
    finally:
        runner.shutdown(wait=True)

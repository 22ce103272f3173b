"""Warm start: `chronos serve` listens at once and loads the models in the background."""
from __future__ import annotations

from urllib.request import urlopen

from tests.procs import Server


def test_serve_listens_first_then_loads_the_models_without_a_request(tmp_path):
    server = Server(tmp_path / "data")  # returns once it prints that it is listening
    try:
        with urlopen(f"{server.url}/login", timeout=30) as res:  # answered while the models load
            assert res.status in (200, 302)
        # No question asked: the models still load, and serve says so (and logs it).
        ready = next(line for line in server.proc.stdout if "Models ready" in line)
        assert "multilingual-e5-small" in ready and "Whisper tiny.en" in ready  # a new library's default
    finally:
        server.stop()
    log = (tmp_path / "data" / "logs" / "chronos.log").read_text()
    assert "Models ready" in log

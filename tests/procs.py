"""Running the real `chronos` command in a child process, as a creator would."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.request import Request, urlopen


def chronos_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHRONOS_", "ANTHROPIC_", "WHOP_"))}
    env.update({"CHRONOS_WHISPER_MODEL": "tiny.en", "CHRONOS_RETRY_BASE_S": "0.05", **extra})
    return env


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `chronos ARGS…` to completion."""
    return subprocess.run([sys.executable, "-m", "chronos", *args], capture_output=True, text=True,
                          env=env or chronos_env(), timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`chronos serve` in a child process; ready once it prints its address."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chronos", "serve", "--data-dir", str(data_dir), "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=chronos_env())
        for line in self.proc.stdout:  # blocks until the server says it is listening
            if "Chronos is running at" in line:
                return
        raise RuntimeError(f"chronos serve exited with {self.proc.wait()}")

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no chance to clean up, like a power cut
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)


def upload_file(base_url: str, token: str, path: Path) -> dict:
    """POST a file to /api/videos as multipart, like `curl -F file=@…`."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    req = Request(f"{base_url}/api/videos", data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urlopen(req, timeout=60) as res:
        return json.loads(res.read())


def get_json(base_url: str, token: str, path: str):
    req = Request(f"{base_url}{path}", headers={"Authorization": f"Bearer {token}"})
    with urlopen(req, timeout=60) as res:
        return json.loads(res.read())

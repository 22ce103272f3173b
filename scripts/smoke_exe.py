"""Smoke test of the built executable, as a creator would use it, with no Python on the machine.

    scripts/build_exe.sh && .venv/bin/python scripts/smoke_exe.py [--exe dist/chronos/chronos]

As root on Linux, every Python on the machine is hidden from the executable (a private mount
namespace); elsewhere only PATH keeps Python away. Checks `chronos doctor`; starts `chronos serve` on a temporary data folder; creates the owner on
the setup page; makes an API token with the executable's CLI; uploads tests/fixtures/interest.mp4;
waits for "completed"; asks a question through POST /api/chat and checks the answer cites that
video; stops the server with SIGTERM and checks it exits cleanly. Prints a JSON summary; exits 1
on the first failure, saying what failed.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "interest.mp4"
QUESTION = "What is compound interest?"


class SmokeFailure(Exception):
    """A step of the smoke test failed; the message says which and why."""


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """No Python, no virtualenv, no network settings: what a creator's computer has."""
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "CHRONOS_NO_BROWSER": "1", **extra}


def python_installs(exe: Path) -> list[str]:
    """Every Python on this machine (the interpreter running this script, its venv, the system's)."""
    found = {sys.base_prefix, sys.prefix, *glob.glob("/usr/lib/python3*"), *glob.glob("/usr/local/lib/python3*"),
             *glob.glob("/usr/bin/python3*"), *glob.glob("/usr/local/bin/python3*")}
    return sorted(p for p in found if os.path.exists(p) and not str(exe).startswith(p.rstrip("/") + "/"))


def can_hide_python() -> bool:
    """Whether this machine lets us make a private mount namespace (root on Linux, and a
    container that allows it)."""
    if not (sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("unshare")):
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "/bin/true"], capture_output=True)
    return probe.returncode == 0


def hidden_python(cmd: list[str], exe: Path) -> list[str]:
    """cmd run where no Python can be found: as root on Linux, a private mount namespace covers
    every Python installation (tmpfs over folders, /dev/null over binaries). Elsewhere cmd as is,
    with PATH alone keeping Python out of reach."""
    if not can_hide_python():
        return cmd
    mounts = " && ".join(
        f"mount -t tmpfs none '{p}'" if os.path.isdir(p) else f"mount --bind /dev/null '{p}'"
        for p in python_installs(exe))
    return ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", f'{mounts} && exec "$@"', "sh", *cmd]


def check_no_python(exe: Path, env: dict) -> bool:
    """True when every Python is hidden where the executable runs, False when this machine cannot
    hide them (not root, not Linux); a hiding that leaves one in reach fails the smoke test."""
    tries = " || ".join(f"'{py}' -c 'print(\"python-ran\")'"
                        for py in ("python3", "/usr/bin/python3", sys.executable))
    cmd = ["/bin/sh", "-c", f"{tries}; echo probe-done"]
    probe = hidden_python(cmd, exe)
    if probe == cmd:
        return False
    out = subprocess.run(probe, capture_output=True, text=True, env=env, timeout=60).stdout
    if "probe-done" not in out:
        raise SmokeFailure(f"the namespace that hides Python could not be set up: {out!r}")
    if "python-ran" in out:
        raise SmokeFailure("a Python is still reachable inside the namespace meant to hide them all")
    return True


def run_exe(exe: Path, *args: str, env: dict) -> str:
    done = subprocess.run(hidden_python([str(exe), *args], exe), capture_output=True, text=True, env=env,
                          timeout=300)
    if done.returncode != 0:
        raise SmokeFailure(f"`chronos {' '.join(args)}` exited {done.returncode}: {done.stdout}{done.stderr}")
    return done.stdout


def check_doctor(exe: Path, data: Path, env: dict) -> str:
    report = run_exe(exe, "doctor", "--data-dir", str(data), env=env)
    for needed in ("the executable", "Libraries: SQLite", "faster-whisper 1", "sqlite-vec: v",
                   "whisper base: ready", "whisper tiny.en: ready",
                   "embeddings all-MiniLM-L6-v2: ready", "Free disk:", "GPU:"):
        if needed not in report:
            raise SmokeFailure(f"`chronos doctor` does not report {needed!r}:\n{report}")
    return report


def request(url: str, *, data: bytes | None = None, headers: dict | None = None, opener=None,
            method: str | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with (opener or urllib.request.build_opener()).open(req, timeout=120) as res:
        return res.status, res.read()


def create_owner(base: str) -> None:
    """The first visit: the setup page, as in the browser."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    _, page = request(base + "/setup", opener=opener)
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    if csrf is None:
        raise SmokeFailure("the setup page has no form (templates missing from the executable?)")
    form = (f"csrf_token={csrf.group(1).decode()}&name=Smoke+Teacher"
            f"&password=smoke-test-pass&confirm=smoke-test-pass").encode()
    status, page = request(base + "/setup", data=form, opener=opener,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    if status != 200 or b"Welcome" not in page:
        raise SmokeFailure(f"creating the owner on /setup failed: HTTP {status}")


def upload(base: str, token: str, path: Path) -> dict:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{path.name}\"\r\nContent-Type: video/mp4\r\n\r\n")
    body = head.encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    _, data = request(base + "/api/videos", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    return json.loads(data)


def wait_completed(base: str, token: str, video_id: int, limit_s: float) -> dict:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        _, data = request(f"{base}/api/videos/{video_id}", headers={"Authorization": f"Bearer {token}"})
        video = json.loads(data)
        if video["status"] == "completed":
            return video
        if video["status"] == "failed":
            raise SmokeFailure(f"processing failed: {video.get('error')}")
        time.sleep(1)  # a script against a separate process: polling the API is the interface
    raise SmokeFailure(f"video {video_id} not completed after {limit_s:g} s")


def ask(base: str, token: str, video_id: int) -> dict:
    _, data = request(base + "/api/chat", data=json.dumps({"message": QUESTION}).encode(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    answer = json.loads(data)
    cited = {c["video_id"] for c in answer.get("citations", [])}
    if video_id not in cited:
        raise SmokeFailure(f"the answer does not cite video {video_id}: {json.dumps(answer)[:500]}")
    return answer


def smoke(exe: Path, limit_s: float) -> dict:
    """Every step against the executable; returns timings."""
    work = Path(tempfile.mkdtemp(prefix="chronos-smoke-"))
    env = clean_env(work)
    data = work / "data"
    timings = {}
    python_hidden = check_no_python(exe, env)
    t0 = time.perf_counter()
    check_doctor(exe, data, env)
    timings["doctor_s"] = time.perf_counter() - t0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = (work / "serve.log").open("w+")
    t0 = time.perf_counter()
    proc = subprocess.Popen(hidden_python([str(exe), "serve", "--data-dir", str(data), "--port", str(port)], exe),
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        while True:  # wait for the address to answer
            if proc.poll() is not None:
                log.seek(0)
                raise SmokeFailure(f"`chronos serve` exited {proc.returncode}: {log.read()}")
            try:
                request(base + "/login")
                break
            except OSError:
                time.sleep(0.1)
        timings["launch_to_serving_s"] = time.perf_counter() - t0
        create_owner(base)
        token = run_exe(exe, "token", "create", "--data-dir", str(data), env=env).strip()
        t0 = time.perf_counter()
        video = upload(base, token, FIXTURE)
        video = wait_completed(base, token, video["id"], limit_s)
        timings["processing_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        answer = ask(base, token, video["id"])
        timings["answer_s"] = time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
    if proc.returncode != 0:
        raise SmokeFailure(f"`chronos serve` exited {proc.returncode} on SIGTERM")
    shutil.rmtree(work, ignore_errors=True)
    return {"exe": str(exe), "python_out_of_reach": python_hidden,
            "video": {"id": video["id"], "chunks": video["chunks"]},
            "citations": len(answer["citations"]), **{k: round(v, 2) for k, v in timings.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exe", type=Path, default=ROOT / "dist" / "chronos" / "chronos")
    parser.add_argument("--limit", type=float, default=600, help="seconds allowed for processing")
    args = parser.parse_args()
    if not args.exe.exists():
        print(f"{args.exe} is missing: build it first with scripts/build_exe.sh", file=sys.stderr)
        return 1
    try:
        result = smoke(args.exe.resolve(), args.limit)
    except SmokeFailure as exc:
        print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"ok": True, **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

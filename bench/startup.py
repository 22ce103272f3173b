"""Launch-to-serving time of the built executable: one folder vs one file (issue #8, point 3).

Starts the executable with a clean environment (no Python on PATH, no virtualenv), and times
from launch until GET /login answers 200; one untimed warm-up launch first ("a warm machine"),
then --runs timed launches on the same data folder, each stopped with SIGTERM.

    scripts/build_exe.sh && scripts/build_exe.sh --onefile
    .venv/bin/python bench/startup.py --variant folder
    .venv/bin/python bench/startup.py --variant onefile

Prints JSON {"variant", "p50_s", "p95_s", "size_mb", "target_s": 5, ...} and writes it to
bench/results/startup-<variant>.json.
"""
from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from report import emit, pct

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {"folder": ROOT / "dist" / "chronos" / "chronos",
            "onefile": ROOT / "dist" / "chronos-onefile",
            "venv": ROOT / ".venv" / "bin" / "chronos"}  # the developer's install, for reference
TARGET_S = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _size_mb(variant: str) -> float | None:
    path = VARIANTS[variant]
    if variant == "venv":
        return None
    files = path.parent.rglob("*") if variant == "folder" else [path]
    # Symlinks (PyInstaller links some libraries) would count their target twice.
    return round(sum(f.stat().st_size for f in files if f.is_file() and not f.is_symlink()) / 1024**2, 1)


def launch_to_serving(exe: Path, data_dir: Path, home: Path) -> float:
    """Seconds from launch until the login page answers; the server is stopped afterwards."""
    port = _free_port()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "CHRONOS_NO_BROWSER": "1",
           "CHRONOS_WHISPER_MODEL": "tiny.en"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), "serve", "--data-dir", str(data_dir), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{exe} exited with {proc.returncode} before serving")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as res:
                    if res.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)  # a benchmark, not a test: polling is the measurement
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="folder")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    exe = VARIANTS[args.variant]
    if not exe.exists():
        raise SystemExit(f"{exe} is missing: build it first (scripts/build_exe.sh, --onefile for one file).")
    work = Path(tempfile.mkdtemp(prefix="chronos-startup-"))
    launch_to_serving(exe, work / "data", work)  # warm-up: first run makes the data folder
    times = sorted(launch_to_serving(exe, work / "data", work) for _ in range(args.runs))
    result = {"variant": args.variant, "p50_s": pct(times, 50, digits=2), "p95_s": pct(times, 95, digits=2),
              "size_mb": _size_mb(args.variant), "target_s": TARGET_S, "runs": args.runs,
              "times_s": [round(t, 2) for t in times]}
    out = ROOT / "bench" / "results" / f"startup-{args.variant}.json"
    emit(result, out)


if __name__ == "__main__":
    main()

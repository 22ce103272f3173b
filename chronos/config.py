"""Settings: built-in defaults < `settings.toml` in the data folder < environment variables."""
from __future__ import annotations

import json
import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

ENV_PREFIX = "CHRONOS_"
# Settings that keep the names their own ecosystems use, not CHRONOS_*.
FOREIGN_ENV = {
    "anthropic_api_key": "ANTHROPIC_API_KEY",
    "anthropic_base_url": "ANTHROPIC_BASE_URL",
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "whop_client_id": "WHOP_CLIENT_ID",
    "whop_client_secret": "WHOP_CLIENT_SECRET",
    "whop_app_id": "WHOP_APP_ID",
    "whop_api_key": "WHOP_API_KEY",
    "whop_webhook_secret": "WHOP_WEBHOOK_SECRET",
    "whop_company_id": "WHOP_COMPANY_ID",
    "whop_product_ids": "WHOP_PRODUCT_IDS",
    "whop_base_url": "WHOP_BASE_URL",
}

ANSWERERS = ("auto", "offline", "claude", "openai")
# How the tutor replies: "answer" states the answer and quotes the lecture; "hint" only guides
# (points to the moments to rewatch, asks a guiding question). A course's own `tutor_mode` says
# which for questions asked in its player; `tutor_mode` below is the creator's default.
TUTOR_MODES = ("answer", "hint")
# The embedding models (chronos/ai/embedder.py); a new library gets DEFAULT_EMBEDDER.
EMBEDDERS = ("minilm", "multilingual-e5")
DEFAULT_EMBEDDER = "multilingual-e5"
ACCEPTED_VIDEO = ("mp4", "mov", "avi", "webm", "mkv")
ACCEPTED_AUDIO = ("m4a", "mp3", "wav")


def default_data_dir() -> Path:
    """The OS's per-user application-data folder for Chronos."""
    return Path(platformdirs.user_data_dir("Chronos", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Everything Chronos can be told; every field has a working offline default."""

    data_dir: Path = field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8765
    # Serving (chronos/server.py): request threads (an open websocket holds one, so this bounds
    # students connected at once), idle-connection timeout, and how long a stop waits for the
    # running pipeline attempt before leaving it to resume at the next start.
    server_threads: int = 512
    server_timeout_s: float = 60.0
    shutdown_grace_s: float = 30.0
    secret_key: str = ""
    # Uploads
    max_upload_bytes: int = 2 * 1024**3
    # New uploads are drafts (only the owner sees them) until published; true publishes them at once.
    publish_new_uploads: bool = False
    # Transcription: "base" (multilingual, default) or "tiny.en" (fast, English only).
    whisper_model: str = "base"
    whisper_language: str = ""  # empty: detect per video
    whisper_device: str = "auto"  # auto | cpu | cuda
    whisper_threads: int = 0  # 0: chosen from the CPU count
    whisper_beam_size: int = 5
    # Speech chunks decoded at once by faster-whisper's batched pipeline; 0 decodes one 30 s
    # window at a time (bench/README.md, "Batched decoding", has the measurements behind it).
    whisper_batch_size: int = 0
    # The glossary, the video's title and description and its courses' titles go to Whisper as
    # hotwords (pipeline/hints.py). Off by default: on twelve voices, with both guards, they brought
    # most names through (term recall 0.34 -> 0.82) and cut word errors 22.7 -> 17.7 % overall,
    # but one voice got 2.4 points worse (bench/README.md, "Dropped speech").
    whisper_hints: bool = False
    # Embeddings: "minilm" (English) or "multilingual-e5" (questions and lectures in any of ~100
    # languages, also across them); empty: the one the library's vectors were made with (a new
    # library: DEFAULT_EMBEDDER). Changing it for a library with vectors takes `chronos reembed`.
    embedder: str = ""
    embed_batch_size: int = 32
    # Pipeline retries: attempt n+1 waits retry_base_s * 2**n seconds.
    max_retries: int = 3
    retry_base_s: float = 5.0
    # Start the background scheduler with the app (tests drive the pipeline directly).
    run_scheduler: bool = True
    # Answering: "auto" picks Claude when ANTHROPIC_API_KEY is set, else an OpenAI-compatible
    # server when openai_base_url is set, else the built-in offline answerer.
    answerer: str = "auto"  # one of ANSWERERS
    anthropic_api_key: str = ""
    anthropic_base_url: str = ""  # empty: the SDK's default
    anthropic_model: str = "claude-sonnet-4-6"
    anthropic_max_tokens: int = 1024
    anthropic_timeout_s: float = 60.0
    anthropic_max_retries: int = 2
    openai_api_key: str = ""
    openai_base_url: str = ""  # e.g. http://127.0.0.1:11434/v1 for a local Ollama
    openai_model: str = "llama3.1"
    openai_timeout_s: float = 120.0
    # The creator's default tutor mode (one of TUTOR_MODES): for questions outside any course (the
    # Ask page, beside a video) and the creator's own questions, previews in a course included.
    tutor_mode: str = "answer"
    # Retrieval
    retrieval_k: int = 6
    # Questions worked on at once (retrieval, and the offline answerer's own work); the others
    # wait their turn in order (chronos/turns.py). Measured in bench/README.md, "A class at once".
    answer_turns: int = 2
    # Page, API and media requests worked on at once by `chronos serve` (its request_turns gate);
    # the others wait their turn in order. Websockets and uploads do not take a turn.
    # 0: no gate. Measured in bench/README.md, "Requests take turns".
    request_turns: int = 2
    # Whop: sign-in (OAuth), the iframe (app id), access checks (API key), webhooks (secret).
    whop_client_id: str = ""
    whop_client_secret: str = ""
    whop_app_id: str = ""
    whop_api_key: str = ""
    whop_webhook_secret: str = ""
    whop_company_id: str = ""
    whop_product_ids: str = ""  # comma-separated prod_… ids that grant access; empty: the company
    whop_base_url: str = "https://api.whop.com"
    whop_checkout_url: str = ""  # where students without access can buy (shown on the no-access page)
    # The address students use (a tunnel URL); empty: the address of the request.
    public_url: str = ""
    # Proxies in front of Chronos whose X-Forwarded-For/-Proto/-Host to trust (a tunnel is 1).
    # Behind a tunnel every request comes from 127.0.0.1; trusting the tunnel's header gives each
    # student their own address for the per-address rate limits. 0 when nothing is in front.
    proxy_hops: int = 0
    # Sign-in attempts allowed per address and name in login_window_s.
    login_attempts: int = 5
    login_window_s: int = 900
    # A signed-in session ends after this long without a request (idle), and this long after
    # signing in whatever happens (lifetime); sign-out, a password change and a revoke end it at once.
    session_idle_s: int = 7 * 24 * 3600
    session_lifetime_s: int = 30 * 24 * 3600
    # Tiers: overrides of the built-in tier table (chronos/tiers.py), e.g. in settings.toml
    # [tiers.pro] videos_per_month = 200; a limit of -1 means unlimited.
    tiers: dict = field(default_factory=dict)
    # Whop plans that set the creator's tier: "plan_abc=pro,plan_def=starter".
    whop_tier_plans: str = ""
    # With those plans set, the tier is also read from Whop's API: at sign-in, on first use, and
    # again once this many seconds have passed while Chronos is in use (0: only at sign-in).
    whop_tier_refresh_s: int = 900
    # Requests allowed per minute (0: no limit) per signed-in user and per address. The webhook
    # endpoint is exempt; rate_webhooks_per_min counts only its invalid deliveries per address,
    # past which unsigned ones are refused unlogged (a correctly signed delivery never is).
    rate_per_user_per_min: int = 600
    rate_per_address_per_min: int = 1200
    rate_uploads_per_min: int = 60
    rate_questions_per_min: int = 60
    rate_webhooks_per_min: int = 60
    # Costs shown on the usage page: local transcription and embeddings cost nothing; set these
    # when a cloud transcription back end or paid storage is used.
    transcription_usd_per_minute: float = 0.0
    storage_usd_per_gb_month: float = 0.0

    @property
    def whop_enabled(self) -> bool:
        return bool(self.whop_client_id and self.whop_client_secret)

    @property
    def product_ids(self) -> list[str]:
        return [p.strip() for p in self.whop_product_ids.split(",") if p.strip()]

    @property
    def db_path(self) -> Path:
        return self.data_dir / "chronos.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def upload_tmp_dir(self) -> Path:
        return self.data_dir / "media" / ".incoming"


class SettingsError(ValueError):
    """A setting the creator gave that Chronos cannot use; the message names it and its source."""


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _coerce(value: Any, like: Any) -> Any:
    """Turn a string from the environment or a TOML value into the field's type (ValueError if it is not one)."""
    if isinstance(like, dict):  # a TOML table, or JSON text from the environment
        value = value if isinstance(value, dict) else json.loads(value)
        if not isinstance(value, dict):
            raise ValueError(value)
        return dict(value)
    if isinstance(like, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in _TRUE | _FALSE:
            raise ValueError(value)
        return text in _TRUE
    if isinstance(value, bool):  # TOML true/false is not a number, though Python's bool is an int
        raise ValueError(value)
    if isinstance(like, int):
        if isinstance(value, float):
            raise ValueError(value)  # int(2.5) would silently drop the half
        return int(value)
    if isinstance(like, float):
        return float(value)
    if isinstance(like, Path):
        return Path(value).expanduser()
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _kind(like: Any) -> str:
    """The expected type of a setting, in words."""
    if isinstance(like, dict):
        return "a table (JSON object text in an environment variable)"
    if isinstance(like, bool):
        return "true or false"
    if isinstance(like, int):
        return "a whole number"
    if isinstance(like, float):
        return "a number"
    return "text"


def load_settings(data_dir: str | Path | None = None, env: dict[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Build Settings from defaults, the data folder's settings.toml, the environment and overrides.

    A setting that is unknown, of the wrong type or not one of its choices raises SettingsError.
    """
    env = dict(os.environ if env is None else env)
    base = Settings()
    chosen_dir = Path(data_dir or env.get(ENV_PREFIX + "DATA_DIR") or base.data_dir).expanduser()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}  # where each value came from, for error messages
    toml_path = chosen_dir / "settings.toml"
    if toml_path.exists():
        with toml_path.open("rb") as fh:
            try:
                values.update(tomllib.load(fh))
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{toml_path} is not valid TOML: {exc}.") from None
        sources.update(dict.fromkeys(values, str(toml_path)))
    for f in fields(Settings):
        name = FOREIGN_ENV.get(f.name, ENV_PREFIX + f.name.upper())
        if name in env and f.name != "data_dir":
            values[f.name] = env[name]
            sources[f.name] = f"the environment variable {name}"
    given = {k: v for k, v in overrides.items() if v is not None}
    values.update(given)
    sources.update(dict.fromkeys(given, "a command-line option or override"))
    known = {f.name: getattr(base, f.name) for f in fields(Settings)}
    unknown = set(values) - set(known)
    if unknown:
        raise SettingsError(f"Unknown setting(s) in {toml_path} or overrides: {', '.join(sorted(unknown))}")
    coerced = {}
    for key, value in values.items():
        try:
            coerced[key] = _coerce(value, known[key])
        except (TypeError, ValueError):
            raise SettingsError(f"The setting '{key}' (from {sources[key]}) must be {_kind(known[key])};"
                                f" got {value!r}.") from None
    if coerced.get("answerer", base.answerer) not in ANSWERERS:
        raise SettingsError(f"The setting 'answerer' (from {sources['answerer']}) is {coerced['answerer']!r};"
                            f" it must be one of: {', '.join(ANSWERERS)}.")
    if coerced.get("tutor_mode", base.tutor_mode) not in TUTOR_MODES:
        raise SettingsError(f"The setting 'tutor_mode' (from {sources['tutor_mode']}) is {coerced['tutor_mode']!r};"
                            f" it must be one of: {', '.join(TUTOR_MODES)}.")
    if coerced.get("embedder", base.embedder) not in ("", *EMBEDDERS):
        raise SettingsError(f"The setting 'embedder' (from {sources['embedder']}) is {coerced['embedder']!r};"
                            f" it must be one of: {', '.join(EMBEDDERS)} (or empty: the library's own).")
    if coerced.get("request_turns", base.request_turns) < 0:
        raise SettingsError(f"The setting 'request_turns' (from {sources['request_turns']}) is"
                            f" {coerced['request_turns']}; use 0 for no limit or a number of requests.")
    if coerced.get("answer_turns", base.answer_turns) < 1:
        raise SettingsError(f"The setting 'answer_turns' (from {sources['answer_turns']}) is"
                            f" {coerced['answer_turns']}; at least one question must be answered at a time.")
    for key in ("session_idle_s", "session_lifetime_s"):
        if coerced.get(key, getattr(base, key)) < 60:
            raise SettingsError(f"The setting '{key}' (from {sources[key]}) is {coerced[key]};"
                                " a session must last at least 60 seconds.")
    settings = replace(base, data_dir=chosen_dir.resolve(), **coerced)
    return _ensure_dirs_and_secret(settings)


def _ensure_dirs_and_secret(settings: Settings) -> Settings:
    """Create the data folder layout and a persistent session secret on first use."""
    for d in (settings.data_dir, settings.media_dir, settings.upload_tmp_dir, settings.models_dir,
              settings.logs_dir, settings.backups_dir):
        d.mkdir(parents=True, exist_ok=True)
    if settings.secret_key:
        return settings
    key_file = settings.data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return replace(settings, secret_key=key_file.read_text().strip())

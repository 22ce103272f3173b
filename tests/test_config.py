"""Settings: wrong types and unknown answerers are refused at load time, naming the setting, where it
came from and what it must be; `chronos serve` prints that message without a traceback."""
from __future__ import annotations

import pytest

from chronos.config import ANSWERERS, SettingsError, load_settings
from tests.procs import chronos_env, run_cli


def test_an_unknown_answerer_is_refused_with_the_choices(tmp_path):
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path, env={"CHRONOS_ANSWERER": "gpt4"})
    message = str(err.value)
    assert "'answerer'" in message and "CHRONOS_ANSWERER" in message and "'gpt4'" in message
    assert "auto, offline, claude, openai" in message
    (tmp_path / "settings.toml").write_text('answerer = "Claude"\n')
    with pytest.raises(SettingsError, match=r"'answerer' \(from .*settings\.toml\)"):
        load_settings(tmp_path, env={})
    for choice in ANSWERERS:  # every valid one still loads
        assert load_settings(tmp_path, env={"CHRONOS_ANSWERER": choice}).answerer == choice


@pytest.mark.parametrize("name, value, kind", [
    ("CHRONOS_PORT", "abc", "a whole number"),
    ("CHRONOS_RETRY_BASE_S", "soon", "a number"),
    ("CHRONOS_RUN_SCHEDULER", "maybe", "true or false"),
    ("CHRONOS_TIERS", "{not json", "a table"),
])
def test_a_wrong_type_in_the_environment_names_the_variable(tmp_path, name, value, kind):
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path, env={name: value})
    setting = name.removeprefix("CHRONOS_").lower()
    message = str(err.value)
    assert f"'{setting}'" in message and f"environment variable {name}" in message
    assert f"must be {kind}" in message and repr(value) in message


@pytest.mark.parametrize("line, setting, kind", [
    ('port = "x"', "port", "a whole number"),
    ("port = 80.5", "port", "a whole number"),
    ("run_scheduler = 1.5", "run_scheduler", "true or false"),
    ("whisper_model = 5", "whisper_model", "text"),
    ("retry_base_s = true", "retry_base_s", "a number"),
])
def test_a_wrong_type_in_settings_toml_names_the_file(tmp_path, line, setting, kind):
    (tmp_path / "settings.toml").write_text(line + "\n")
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path, env={})
    message = str(err.value)
    assert f"'{setting}'" in message and str(tmp_path / "settings.toml") in message
    assert f"must be {kind}" in message


def test_values_of_the_right_type_still_load(tmp_path):
    (tmp_path / "settings.toml").write_text('port = "9000"\nretry_base_s = 2\nrun_scheduler = false\n'
                                            '[tiers.pro]\nvideos_per_month = 200\n')
    got = load_settings(tmp_path, env={"CHRONOS_SERVER_TIMEOUT_S": "12.5", "CHRONOS_PROXY_HOPS": "1",
                                       "CHRONOS_LOGIN_ATTEMPTS": " 7 "})
    assert (got.port, got.retry_base_s, got.run_scheduler) == (9000, 2.0, False)
    assert (got.server_timeout_s, got.proxy_hops, got.login_attempts) == (12.5, 1, 7)
    assert got.tiers == {"pro": {"videos_per_month": 200}}
    assert load_settings(tmp_path, env={"CHRONOS_RUN_SCHEDULER": ""}).run_scheduler is False


def test_broken_toml_names_the_file(tmp_path):
    (tmp_path / "settings.toml").write_text("port = \n")
    with pytest.raises(SettingsError, match="settings.toml is not valid TOML"):
        load_settings(tmp_path, env={})


def test_the_cli_prints_the_message_without_a_traceback(tmp_path):
    data = tmp_path / "data"
    res = run_cli("serve", "--data-dir", str(data), "--no-browser", env=chronos_env(CHRONOS_PORT="abc"))
    assert res.returncode == 2
    assert res.stderr.strip() == ("The setting 'port' (from the environment variable CHRONOS_PORT) must be"
                                  " a whole number; got 'abc'.")
    data.mkdir(exist_ok=True)
    (data / "settings.toml").write_text('answerer = "gpt"\n')
    res = run_cli("status", "--data-dir", str(data))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "'answerer'" in res.stderr and "auto, offline, claude, openai" in res.stderr

"""Every config value that reaches generated code is checked: injection attempts are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import InputError

INJECTIONS = {
    "client_class": "X(object): pass\nimport os #",
    "async_client_class": "X(object): pass\nimport os #",
    "api_key_env": "KEY')\nimport os\n#",
    "base_url_env": "URL\n",
    "default_base_url": 'https://x.test/"\nimport os #',
    "auth_header": "X-Key: 1\r\nX-Injected",
    "auth_prefix": "Bearer \n",
    "name": "pkg; import os",
}


def write_config(tmp_path: Path, **package: str) -> Path:
    api_dir = tmp_path / "api"
    api_dir.mkdir()
    # A JSON string is a valid TOML basic string for these values (same escapes).
    lines = ["[package]", *(f"{key} = {json.dumps(value)}" for key, value in package.items())]
    (api_dir / "config.toml").write_text("\n".join(lines) + "\n")
    return api_dir


@pytest.mark.parametrize("key", sorted(INJECTIONS))
def test_code_injection_in_any_config_value_is_refused(tmp_path: Path, key: str) -> None:
    api_dir = write_config(tmp_path, **{key: INJECTIONS[key]})
    with pytest.raises(InputError, match="is not valid"):
        load_config(api_dir, tmp_path / "out")


def test_a_keyword_is_not_a_class_name(tmp_path: Path) -> None:
    api_dir = write_config(tmp_path, async_client_class="None")
    with pytest.raises(InputError, match="keyword"):
        load_config(api_dir, tmp_path / "out")


def test_valid_values_are_kept(tmp_path: Path) -> None:
    api_dir = write_config(
        tmp_path,
        client_class="Acme",
        async_client_class="AcmeAsync",
        default_base_url="https://api.acme.test/v1",
        auth_header="X-Api-Key",
        auth_prefix="Token ",
    )
    config = load_config(api_dir, tmp_path / "out")
    assert (config.client_class, config.async_client_class) == ("Acme", "AcmeAsync")
    assert config.default_base_url == "https://api.acme.test/v1"
    assert (config.auth_header, config.auth_prefix) == ("X-Api-Key", "Token ")

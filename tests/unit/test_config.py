"""The server settings a public or classroom deployment relies on."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_privacy_and_protection_settings():
    cfg = config()
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["server"]["headless"] is True
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"]["enableCORS"] is True
    assert cfg["server"]["enableStaticServing"] is False
    assert cfg["client"]["showErrorDetails"] in ("none", False)
    assert cfg["client"]["toolbarMode"] == "viewer"


def test_upload_limit_is_set_and_matches_the_core_limit():
    from dashboard.limits import LIMITS

    mb = config()["server"]["maxUploadSize"]
    assert 1 <= mb <= 1024
    assert LIMITS.max_upload_bytes == mb * 1024 * 1024


def test_streamlit_reads_our_settings():
    from streamlit import config as st_config

    st_config.get_config_options(force_reparse=True, options_from_flags={})
    assert st_config.get_option("browser.gatherUsageStats") is False
    assert st_config.get_option("server.enableXsrfProtection") is True

"""No credential of any kind in any recorded cassette."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
DEMO_TOKENS = ("demo-token",)
DEMO_BASIC = base64.b64encode(b"demo@example.com:demo-token").decode()

TOKEN_SHAPES = [
    re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]{6,}"),  # an Authorization value
    re.compile(
        r"(?im)^\s*['\"]?authorization['\"]?\s*:\s*(-\s*)?['\"]?\S+"
    ),  # the header, with a value
    re.compile(r"ATATT[A-Za-z0-9_=-]{8,}"),  # Atlassian API token
    re.compile(r"lin_(api|oauth)_[A-Za-z0-9]{8,}"),  # Linear API key
    re.compile(r"(?im)^\s*['\"]?(set-)?cookie['\"]?\s*:\s*(-\s*)?['\"]?\S+"),
    re.compile(re.escape(DEMO_BASIC)),
    *(re.compile(re.escape(t)) for t in DEMO_TOKENS),
]


def find_secrets(text: str) -> list[str]:
    return [m.group(0)[:40] for pattern in TOKEN_SHAPES for m in pattern.finditer(text)]


def cassette_files() -> list[Path]:
    return sorted(p for p in CASSETTES.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", cassette_files(), ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_holds_no_credentials(path: Path) -> None:
    found = find_secrets(path.read_text(encoding="utf-8", errors="replace"))
    assert not found, f"{path} holds credential-shaped text: {found}"


@pytest.mark.parametrize(
    "dirty",
    [
        "    Authorization:\n    - Basic ZGVtb0BleGFtcGxlLmNvbTpkZW1vLXRva2Vu\n",
        '{"headers": {"Authorization": ["Bearer abcdef123456"]}}',
        "token: ATATT3xFfGF0T4JNzd0c_kT1\n",
        "key lin_api_0123456789abcdef\n",
        "  Set-Cookie:\n  - JSESSIONID=abc\n",
        "body: demo-token\n",
    ],
)
def test_scanner_catches_token_shapes(dirty: str) -> None:
    assert find_secrets(dirty)


def test_scanner_passes_clean_text() -> None:
    clean = (
        "request:\n  uri: http://jira.sim.test/rest/api/2/myself\n"
        "  headers:\n    Accept:\n    - '*/*'\n"
    )
    assert find_secrets(clean) == []

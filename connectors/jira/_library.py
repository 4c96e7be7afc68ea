"""The one place that touches the `jira` library's private parts.

We use the library for what it does well (authentication, the REST base URLs, its session
with Jira's headers) and do the rest ourselves. Three private internals are needed, and
only here: ``JIRA._session`` (to mount our counting adapter and send requests),
``JIRA._get_url`` (the REST URL of a path) and ``JIRA.deploymentType`` (which the library
routes its own search helpers on). ``pyproject.toml`` bounds the library's version so an
upgrade that moves them is a deliberate change, and ``tests/connectors/test_jira_library.py``
checks they are there.

Why not ``JIRA._get_json``: it turns an empty body into ``{}`` (so an empty HTTP 200 on the
issue search read as "no issues" and moved the sync's cursor past edits never read), and
logs a whole malformed body at ERROR. Here an empty or malformed body is an
:class:`UnreadableAnswer`, and the library's logger is kept quiet (``logging=False`` sets it
to CRITICAL; ``logging=True``, the default, resets it to INFO on every construction).
"""

from __future__ import annotations

import json
from typing import Any

import requests
from jira import JIRA
from requests.adapters import HTTPAdapter

from connectors import sanitize
from tracker.errors import UpstreamError


class UnreadableAnswer(UpstreamError):
    """An HTTP 2xx whose body is empty or not JSON: nothing can be taken from it."""


class JiraLibrary:
    """A ``JIRA`` object reduced to: send one request, get its parsed JSON."""

    def __init__(
        self, url: str, auth: dict[str, Any], *, timeout: float, adapter: HTTPAdapter
    ) -> None:
        # get_server_info=False: no request in the constructor, outside our retries and
        # error mapping. max_retries=0: the library's own retries jitter below
        # Retry-After and sleep for real; JiraClient retries instead.
        self._jira = JIRA(
            url,
            get_server_info=False,
            max_retries=0,
            timeout=timeout,
            logging=False,
            options={"check_update": False},
            **auth,
        )
        self._url = url
        self._session: requests.Session = self._jira._session
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def get_json(self, path: str, params: dict[str, Any], *, agile: bool = False) -> Any:
        """GET a REST path (``search/jql``; ``board/7/sprint`` with ``agile``); its JSON.

        Raises ``JIRAError`` for an HTTP error status (the library's session does),
        ``requests.RequestException`` for the network, :class:`UnreadableAnswer` for a
        2xx body that is empty or not JSON."""
        base = JIRA.AGILE_BASE_URL if agile else JIRA.JIRA_BASE_URL
        url = self._jira._get_url(path, base)
        return self._parse(self._session.get(url, params=params), path)

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        url = self._jira._get_url(path, JIRA.JIRA_BASE_URL)
        return self._parse(self._session.post(url, data=json.dumps(body)), path)

    def set_deployment_type(self, deployment_type: str | None) -> None:
        """Tell the library Cloud or Server (it picks its own search endpoint by this)."""
        self._jira.deploymentType = deployment_type

    def close(self) -> None:
        self._session.close()

    def _parse(self, response: requests.Response, path: str) -> Any:
        """The body's JSON, with text no database can store replaced (``sanitize``)."""
        content = response.content
        if not content.strip():
            raise UnreadableAnswer(f"an empty answer (HTTP {response.status_code})")
        try:
            value = json.loads(content)
        except (ValueError, RecursionError) as exc:
            raise UnreadableAnswer(
                f"an answer that is not JSON (HTTP {response.status_code}, {len(content):,} bytes)"
            ) from exc
        if sanitize.may_need_cleaning(content):
            value, found = sanitize.clean(value)
            sanitize.warn(found, f"Jira at {self._url}", path)
        return value

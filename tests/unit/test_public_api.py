"""The library's public face: ``tracker.__all__``, typed (``py.typed``), cheap to import."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

import tracker


def test_every_public_name_resolves_from_the_package() -> None:
    assert sorted(tracker.__all__) == sorted(tracker._HOME)
    for name in tracker.__all__:
        value = getattr(tracker, name)
        assert getattr(value, "__name__", name) == name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        getattr(tracker, "NoSuchThing")  # noqa: B009 (the name is the point)


def test_the_package_is_marked_typed() -> None:
    assert resources.files("tracker").joinpath("py.typed").is_file()


def test_importing_the_domain_loads_no_database_library() -> None:
    code = "import sys, tracker.domain; print('sqlalchemy' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"

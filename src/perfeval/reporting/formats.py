"""The output formats every command offers (imported at start-up: no other imports)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"

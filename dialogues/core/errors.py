"""One small error hierarchy; the edges translate it into French."""

from __future__ import annotations


class CharteError(Exception):
    """Base of every error the core raises on purpose."""


class ContentError(CharteError):
    """A YAML content file is invalid; names the file and the key."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}")
        self.file = file
        self.key = key
        self.problem = problem


class UnknownLever(CharteError):
    """No lever has that id."""


class NotFound(CharteError):
    """A stored row does not exist (or is not visible to the caller)."""


"""A one-line progress display for `kfpolicy audit` on a terminal, and nothing in CI logs."""

from __future__ import annotations

import os
from typing import TextIO


def wanted(stream: TextIO, env: dict[str, str] | None = None) -> bool:
    """On when the stream is a terminal and no CI system is detected (CI sets CI=true)."""
    env = dict(os.environ) if env is None else env
    return stream.isatty() and not env.get("CI")


class ProgressLine:
    """Rewrites one line: `listing pytorchjobs.kubeflow.org/v1: 1,500 objects (4,200 in all)`."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.counts: dict[str, int] = {}
        self._width = 0

    def __call__(self, resource: str, count: int) -> None:
        self.counts[resource] = count
        text = f"listing {resource}: {count:,} objects ({sum(self.counts.values()):,} in all)"
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()

"""What every output format needs: counts, where an object or a violation sits, one report input."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from kfpolicy.inputs import DocumentError
from kfpolicy.runner import Result, Violation

DECISIONS = ("deny", "warn", "allow", "skip")

# A violation field as the messages write it: `spec.pytorchReplicaSpecs[Worker].template.spec.containers[0]`.
_FIELD_STEP = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")


@dataclass(frozen=True)
class Report:
    """One run's results (objects evaluated or skipped), input errors, and per-result times in seconds."""

    results: Sequence[Result]
    errors: Sequence[DocumentError] = ()
    times: Sequence[float] = field(default_factory=tuple)

    def time_of(self, index: int) -> float:
        return self.times[index] if index < len(self.times) else 0.0


def summary(results: Sequence[Result]) -> dict[str, int]:
    counts = Counter(r.decision for r in results)
    return {d: counts.get(d, 0) for d in DECISIONS}


def field_path(text: str) -> list[str | int]:
    """`a.b[Worker].c[0]` -> ["a", "b", "Worker", "c", 0]."""
    steps: list[str | int] = []
    for name, bracket in _FIELD_STEP.findall(text):
        if name:
            steps.append(name)
        else:
            steps.append(int(bracket) if bracket.isdigit() else bracket)
    return steps


def violation_line(result: Result, violation: Violation) -> int | None:
    """The line of the offending field where the file has it, else of the object; None off files."""
    if result.lines is None:
        return None
    return result.lines.locate(field_path(violation.field)) if violation.field else result.lines.line


def split_source(source: str) -> tuple[str | None, str]:
    """("dir/job.yaml", "#0/items[1]") from "dir/job.yaml#0/items[1]"; (None, source) when the source
    is not a file (stdin, a cluster object)."""
    if source.startswith(("<stdin>", "cluster:")):
        return None, source
    path, hash_, rest = source.rpartition("#")
    if hash_ and rest[:1].isdigit():
        return path, hash_ + rest
    return source, ""


def object_name(result: Result) -> str:
    if result.kind is None:
        return "-"
    name = f"{result.kind}/{result.name}" if result.name is not None else str(result.kind)
    return f"{result.namespace}/{name}" if isinstance(result.namespace, str) and result.namespace else name


def where(source: str, line: int | None) -> str:
    """`job.yaml#0:12`, the usual `file:line` shape with the document index kept."""
    return f"{source}:{line}" if line else source

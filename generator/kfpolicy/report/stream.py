"""A report written window after window, for the formats whose text allows it (text, json, github),
so a large batch's results need not be held until the end: only the decision counts and the input
errors are kept for the last lines. The text written is exactly render()'s, followed by a line break
(as the command echoes it). The other formats need every result first: junit and tap open with
counts, table aligns its columns to the widest cell, and sarif is written as one document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from kfpolicy.inputs import DocumentError
from kfpolicy.report.ci import github_result_lines, github_tail
from kfpolicy.report.common import DECISIONS, Report
from kfpolicy.report.jsonout import errors_json, indented_json, result_json
from kfpolicy.report.text import text_result_lines, text_tail

STREAMED_FORMATS = ("text", "json", "github")


def _nested(value: object, indent: str) -> str:
    """json.dumps(value, indent=2) as it reads nested under `indent` (JSON strings hold no line breaks)."""
    return indented_json(value).replace("\n", "\n" + indent)


class StreamedReport:
    """Writes each window's results as they come (`add`), then the end of the report (`finish`)."""

    def __init__(self, output: str, write: Callable[[str], None], *, verbose: bool = False) -> None:
        if output not in STREAMED_FORMATS:
            raise ValueError(f"{output} reports are not streamed")
        self.output = output
        self.write = write
        self.verbose = verbose
        self.counts: Counter[str] = Counter()
        self.errors: list[DocumentError] = []
        self._written = 0

    def summary(self) -> dict[str, int]:
        return {d: self.counts.get(d, 0) for d in DECISIONS}

    def add(self, window: Report) -> None:
        self.errors.extend(window.errors)
        self.counts.update(r.decision for r in window.results)
        if self.output == "json":
            parts: list[str] = []  # the window's text, written at once
            for result in window.results:
                opening = '{\n  "results": [\n' if not self._written else ",\n"
                parts.append(opening + "    " + _nested(result_json(result), "    "))
                self._written += 1
            if parts:
                self.write("".join(parts))
            return
        lines = (
            text_result_lines(window.results, verbose=self.verbose)
            if self.output == "text"
            else github_result_lines(window.results)
        )
        if lines:
            self.write("\n".join(lines) + "\n")

    def finish(self) -> None:
        if self.output == "json":
            head = '{\n  "results": []' if not self._written else "\n  ]"
            text = head + ',\n  "summary": ' + _nested(self.summary(), "  ")
            if self.errors:
                text += ',\n  "errors": ' + _nested(errors_json(self.errors), "  ")
            self.write(text + "\n}\n")
            return
        tail = (
            text_tail(self.summary(), self.errors, verbose=self.verbose)
            if self.output == "text"
            else github_tail(self.summary(), self.errors)
        )
        self.write("\n".join(tail) + "\n")

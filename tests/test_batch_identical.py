"""The fast batch path gives the reports of the slow, plain one, byte for byte.

The reference reads every document with the strict reader alone (PyYAML, line numbers from the
composed nodes) and evaluates it in this process; the batch path reads with yaml-rs and the line
scan, and parses and evaluates in forked workers (`--jobs 1` and `--jobs 2`). Over a generated
corpus (benchmarks/jobs.py: every batch kind, allowed and denied jobs) written in several YAML
styles and as JSON, with streams, Lists, broken and skipped documents, every report format, its
messages, line numbers, order and exit code must be the same (JUnit's timings aside).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from kfpolicy import parallel, yamlfast
from kfpolicy.catalogue import load_catalogue
from kfpolicy.cli import cli
from kfpolicy.report import FORMATS
from kfpolicy.report.jsonout import indented_json

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = parallel.MIN_DOCUMENTS + 40

# How a manifest is written: PyYAML's options (block style with indented or indentless sequences,
# flow style for leaf collections, document start markers, wide indentation), or JSON.
STYLES: tuple[dict[str, Any], ...] = (
    {"default_flow_style": False},
    {"default_flow_style": False, "indent": 4},
    {"default_flow_style": None},
    {"default_flow_style": False, "explicit_start": True},
    {"json": True},
)
EXTRA = {
    "stream.yaml": "# two jobs and a broken one\n---\n{first}\n---\nkind: [unclosed\n---\n{first}",
    "comments.yaml": "# a comment first\n{first_commented}",
    "quoted-keys.yaml": '"apiVersion": kubeflow.org/v1\n{rest}',
    "yaml11.yaml": "{first}\n# a YAML 1.1 boolean the fast reader leaves to the strict one\nextra: yes\n",
    "list.yaml": "apiVersion: v1\nkind: List\nitems:\n{items}",
    "scalar.yaml": "just text\n",
    "empty.yaml": "---\n# nothing\n",
    "templated.yaml": "kind: {{ .Values.kind }}\n",
}


def _text(obj: dict[str, Any], style: dict[str, Any]) -> str:
    if style.get("json"):
        return json.dumps(obj, indent=2) + "\n"
    return yaml.dump(obj, sort_keys=False, **style)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import jobs

    folder = tmp_path_factory.mktemp("identical")
    kinds = {k: v.to_rego() for k, v in load_catalogue().kinds.items()}
    objects = list(jobs.batch_corpus(kinds, MANIFESTS))
    for i, (name, obj) in enumerate(objects):
        style = STYLES[i % len(STYLES)]
        suffix = ".json" if style.get("json") else ".yaml"
        (folder / f"{name}{suffix}").write_text(_text(obj, style), encoding="utf-8")
    first = yaml.dump(objects[3][1], sort_keys=False).rstrip("\n")
    lines = first.split("\n")
    values = {
        "first": first,
        "first_commented": "\n".join(f"{line}  # note" if ": " in line else line for line in lines),
        "rest": "\n".join(lines[1:]),
        "items": "".join(
            "- " + yaml.dump(obj, sort_keys=False).rstrip("\n").replace("\n", "\n  ") + "\n"
            for _name, obj in objects[5:8]
        ),
    }
    for name, template in EXTRA.items():
        text = template if "{{" in template else template.format(**values)
        (folder / f"job-00100-{name}").write_text(text, encoding="utf-8")
    return folder


def _untimed(output: str) -> str:
    """The report without the seconds each evaluation took (JUnit's `time` attributes)."""
    return re.sub(r'time="[^"]*"', 'time="?"', output)


def _strict_in_one_process(args: list[str]) -> Result:
    """The reference: the strict reader alone, every document in this process."""

    def refuse(text: str) -> Any:
        raise yamlfast._Differs

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlfast, "_fast_load", refuse)
        patch.setattr(parallel, "MIN_DOCUMENTS", 10**9)
        return CliRunner().invoke(cli, args)


def test_the_corpus_exercises_the_fast_reader_and_the_line_scan(corpus: Path) -> None:
    from kfpolicy.yamlscan import block_line_tree

    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("job-0*.yaml"))]
    fast = [t for t in texts if _fast(t) is not None]
    assert len(fast) > len(texts) // 2
    scanned = [t for t in fast if block_line_tree(t, 0, _fast(t)) is not None]
    assert len(scanned) > len(fast) // 2
    assert len(scanned) < len(fast), "some text is left to composing (flow style)"


def _fast(text: str) -> Any:
    try:
        return yamlfast.fast_load(text)
    except yamlfast._Differs:
        return None


@pytest.mark.parametrize("output", FORMATS)
def test_jobs_give_the_strict_readers_report_byte_for_byte(corpus: Path, output: str) -> None:
    args = ["eval", str(corpus), "-o", output, "-v"]
    batches = {jobs: CliRunner().invoke(cli, [*args, "--jobs", jobs]) for jobs in ("1", "2")}
    reference = _strict_in_one_process(args)
    assert reference.exit_code == 2, reference.output  # the broken document
    for jobs, got in batches.items():
        assert got.exit_code == reference.exit_code, f"--jobs {jobs}"
        assert _untimed(got.output) == _untimed(reference.output), f"--jobs {jobs}: -o {output} differs"
    assert "job-00100-stream.yaml#1: invalid YAML" in reference.output


_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text()
    | st.sampled_from(["", "plain", "caf\u00e9", "\x7f", "\x00\x1f\n\t\"\\", "\ud800", "\U0001f600", "1.5"])
)
_keys = st.text(max_size=5) | st.integers(-3, 3) | st.none() | st.booleans()
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=600, deadline=None)
@given(_values)
def test_indented_json_writes_what_json_dumps_writes(value: Any) -> None:
    """The reports' JSON (orjson where it writes the same text) is json.dumps(indent=2)'s, whatever
    the values: floats, non-ASCII, DEL, lone surrogates, huge integers, keys that are not strings."""
    assert indented_json(value) == json.dumps(value, indent=2)


def test_indented_json_leaves_plain_values_to_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    from kfpolicy.report import jsonout

    plain = {"results": [{"line": 3, "name": "job", "violations": [], "reason": None, "ok": True}]}
    expected = json.dumps(plain, indent=2)

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("json.dumps was used")

    monkeypatch.setattr(jsonout.json, "dumps", refuse)
    assert indented_json(plain) == expected
    with pytest.raises(AssertionError):
        indented_json({"value": 1.5})  # a float: json.dumps writes it

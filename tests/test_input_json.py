"""input_json's shortcut (no rewrite when the text shows no number that needs one) never skips a
rewrite that was needed: the same text as always rewriting, for any JSON-like value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kfpolicy.engine_input import _dumps, _plain_numbers, input_json

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e16, 1.5e-7, 12345678901234567890.0, 2**63, 2**64 + 1]),
    st.text(alphabet=":,[]{}.0123456789e+- \"ax", max_size=12),
    st.sampled_from(["pytorch:2.3.0", "a:1.0,b", "1e5", ":1.0]", "x,1.0}"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=600, deadline=None)
@given(_VALUES)
def test_the_shortcut_gives_the_rewritten_text(value: Any) -> None:
    assert input_json(value) == _dumps(_plain_numbers(value))


def test_version_strings_take_the_shortcut_and_numbers_are_still_rewritten() -> None:
    assert input_json({"image": "pytorch:2.3.0"}) == '{"image":"pytorch:2.3.0"}'
    assert json.loads(input_json({"a": [1.0, -0.0, 1e16], "b": 2**64 + 1})) == {
        "a": [1, 0, 10**16],
        "b": float(2**64 + 1),
    }

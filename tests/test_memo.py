"""BoundedMemo computes a missing answer once, answers hits from the dict, and starts afresh at its
limit (the YAML reader's per-line and per-string memos)."""

from __future__ import annotations

from kfpolicy.memo import BoundedMemo


def test_each_answer_is_computed_once_and_the_memo_stays_bounded() -> None:
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(key)

    memo: BoundedMemo[str, int] = BoundedMemo(compute, limit=3)
    assert [memo["a"], memo["bb"], memo["a"]] == [1, 2, 1]
    assert calls == ["a", "bb"]
    assert memo.get("ccc") is None and calls == ["a", "bb"]  # get() does not compute
    memo["ccc"]
    memo["dddd"]  # the fourth answer: the memo starts afresh, then holds it
    assert dict(memo) == {"dddd": 4}
    assert calls == ["a", "bb", "ccc", "dddd"]

"""Where a generator draws its choices: `HypothesisSource` (tests: hypothesis shrinks failures) and
`RandomSource` (soak: fast, seeded) both answer the `Source` protocol, so one generator serves both."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Source(Protocol):
    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[Any]) -> Any: ...

    def chance(self, percent: int) -> bool: ...

    def text(self, alphabet: str, lo: int, hi: int) -> str: ...


class RandomSource:
    def __init__(self, rng: Any) -> None:
        self.rng = rng

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def chance(self, percent: int) -> bool:
        return self.rng.randrange(100) < percent

    def text(self, alphabet: str, lo: int, hi: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(lo, hi)))


class HypothesisSource:
    def __init__(self, draw: Callable[[Any], Any]) -> None:
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def integer(self, lo: int, hi: int) -> int:
        return int(self.draw(self.st.integers(lo, hi)))

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        return self.integer(0, 99) < percent

    def text(self, alphabet: str, lo: int, hi: int) -> str:
        return str(self.draw(self.st.text(alphabet=alphabet, min_size=lo, max_size=hi)))

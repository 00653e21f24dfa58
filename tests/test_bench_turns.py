"""How the benchmark takes turns (scripts/bench.py take_turns), with fake contenders: no timing."""

from __future__ import annotations

from scripts.bench import Contender, take_turns


def _fake(name: str, log: list[tuple[str, int]]) -> Contender:
    """A contender whose call costs 5 s when it follows another contender, else 1 s."""

    def run(n: int) -> float:
        follows_another = not log or log[-1][0] != name
        log.append((name, n))
        return 5.0 + (n - 1) if follows_another else float(n)

    return Contender(name, run)


def _contenders(log: list[tuple[str, int]]) -> list[Contender]:
    return [_fake(name, log) for name in ("a", "b", "c")]


def test_first_calls_are_timed_apart_from_the_turn() -> None:
    log: list[tuple[str, int]] = []
    turns = take_turns(_contenders(log), rounds=3, per_sample=4, first_apart=True)
    assert turns.first == {"a": 5.0, "b": 5.0, "c": 5.0}
    assert turns.steady == {"a": 1.0, "b": 1.0, "c": 1.0}
    measured = log[3:]  # after one warm-up call of 2 each
    assert measured[:2] == [("a", 1), ("a", 4)]
    assert [name for name, n in measured if n == 1] == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]


def test_without_first_apart_the_turn_carries_its_first_call() -> None:
    log: list[tuple[str, int]] = []
    turns = take_turns(_contenders(log), rounds=3, per_sample=4)
    assert turns.first == {}
    assert turns.steady == {"a": 2.0, "b": 2.0, "c": 2.0}  # (5 + 3) / 4
    assert all(n in (2, 4) for _, n in log)


def test_each_round_rotates_who_goes_first() -> None:
    log: list[tuple[str, int]] = []
    take_turns(_contenders(log), rounds=3, per_sample=1)
    firsts_of_rounds = [log[3 + 3 * r][0] for r in range(3)]
    assert firsts_of_rounds == ["a", "b", "c"]

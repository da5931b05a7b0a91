"""A batch's answers stand in the order of its requests: one left unanswered refuses the batch
rather than shift the others onto the wrong requests."""

from __future__ import annotations

import pytest

from shared.transactions import all_answered


def test_every_request_answered_keeps_its_place():
    assert all_answered(["a", "b"]) == ["a", "b"]


def test_a_request_left_unanswered_is_named_and_nothing_is_shifted():
    with pytest.raises(RuntimeError, match=r"\[1\]"):
        all_answered(["a", None, "c"])

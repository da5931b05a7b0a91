"""Proofs assembled from stored perfect-subtree hashes equal RFC 9162's proofs over the leaves,
for every tree size and position up to a few hundred leaves."""

from __future__ import annotations

import hashlib

from shared import merkle


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def _stored(hashes: list[bytes]) -> dict[merkle.Node, bytes]:
    """Every perfect subtree's hash, as a register keeps them."""
    nodes = {(0, i): h for i, h in enumerate(hashes)}
    level = 0
    while len(hashes) >> (level + 1):
        level += 1
        for position in range(len(hashes) >> level):
            nodes[(level, position)] = merkle.node_hash(
                nodes[(level - 1, 2 * position)], nodes[(level - 1, 2 * position + 1)]
            )
    return nodes


def _root_of(stored, start: int, end: int) -> bytes:
    return merkle.fold([stored[node] for node in merkle.perfect_nodes(start, end)])


def test_roots_inclusion_and_consistency_from_stored_nodes_match_the_rfc():
    hashes = _leaves(300)
    stored = _stored(hashes)
    for size in [*range(1, 70), 127, 128, 129, 255, 256, 257, 300]:
        assert _root_of(stored, 0, size) == merkle.root(hashes[:size])
        for index in range(0, size, max(1, size // 17)):
            path = [_root_of(stored, a, b) for a, b in merkle.inclusion_ranges(index, size)]
            assert path == merkle.inclusion_proof(index, hashes[:size])
        for first in range(1, size + 1, max(1, size // 13)):
            proof = [_root_of(stored, a, b) for a, b in merkle.consistency_ranges(first, size)]
            assert proof == merkle.consistency_proof(first, hashes[:size])


def test_a_proof_needs_logarithmically_many_nodes():
    """O(log n) reads: the nodes behind a proof on a million-leaf tree are a few dozen."""
    size = 1_000_003
    nodes = {n for a, b in merkle.inclusion_ranges(777_777, size) for n in merkle.perfect_nodes(a, b)}
    assert len(nodes) <= 2 * size.bit_length()
    nodes = {n for a, b in merkle.consistency_ranges(524_289, size) for n in merkle.perfect_nodes(a, b)}
    assert len(nodes) <= 2 * size.bit_length()


def test_appending_in_any_steps_completes_exactly_the_perfect_subtrees():
    """Each append stores the perfect subtrees it completes, once: appends of any size, one after
    another, leave every perfect subtree of the tree stored and none twice."""
    hashes = _leaves(200)
    for steps in ([1] * 200, [3, 7, 1, 64, 125], [200], [128, 1, 71]):
        made: list[merkle.Node] = []
        size = 0
        for step in steps:
            made.extend((0, p) for p in range(size, size + step))
            made.extend(merkle.appended_nodes(size, size + step))
            size += step
        assert len(made) == len(set(made))
        assert set(made) == set(_stored(hashes))

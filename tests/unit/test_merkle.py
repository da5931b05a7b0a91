"""RFC 9162 Merkle proofs: every inclusion and consistency proof of small trees verifies, and a
changed leaf, a wrong size or a forked log does not."""

from __future__ import annotations

import hashlib

import pytest

from shared import merkle

LEAVES = [f"entry {i}".encode() for i in range(40)]
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_root_of_small_trees_by_hand():
    a, b, c = HASHES[:3]
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.root([a]) == a
    assert merkle.root([a, b]) == merkle.node_hash(a, b)
    assert merkle.root([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)


@pytest.mark.parametrize("size", range(1, 41))
def test_every_inclusion_proof_verifies(size):
    tree_root = merkle.root(HASHES[:size])
    for index in range(size):
        path = merkle.inclusion_proof(index, HASHES[:size])
        assert merkle.verify_inclusion(LEAVES[index], index, size, path, tree_root)


def test_a_changed_leaf_or_wrong_position_fails():
    size = 13
    tree_root = merkle.root(HASHES[:size])
    path = merkle.inclusion_proof(5, HASHES[:size])
    assert not merkle.verify_inclusion(b"entry 5 edited", 5, size, path, tree_root)
    assert not merkle.verify_inclusion(LEAVES[5], 6, size, path, tree_root)
    # The size itself is vouched for by the signed checkpoint; against another tree's root the
    # same path fails.
    assert not merkle.verify_inclusion(LEAVES[5], 5, size + 1, path, merkle.root(HASHES[: size + 1]))


@pytest.mark.parametrize("second", range(2, 41))
def test_every_consistency_proof_verifies(second):
    second_root = merkle.root(HASHES[:second])
    for first in range(1, second):
        proof = merkle.consistency_proof(first, HASHES[:second])
        assert merkle.verify_consistency(first, second, merkle.root(HASHES[:first]), second_root, proof)


def test_a_forked_log_is_not_consistent():
    forked = [*HASHES[:7], merkle.leaf_hash(b"a different history"), *HASHES[8:20]]
    proof = merkle.consistency_proof(10, forked)
    assert not merkle.verify_consistency(10, 20, merkle.root(HASHES[:10]), merkle.root(forked), proof)
    honest = merkle.consistency_proof(10, HASHES[:20])
    assert not merkle.verify_consistency(10, 20, merkle.root(HASHES[:10]), merkle.root(forked), honest)

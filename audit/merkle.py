"""A Merkle tree over the events with RFC 6962 hashing: roots, inclusion and consistency proofs.

Written by hand because no maintained Python library implements RFC 6962 proofs; the algorithms
are the RFC's own (section 2.1), with the largest power of two below n as the split. A proof
asks for the roots of ranges of leaves (`RangeRoot`); over a list of leaves they are computed,
and `audit.tree` answers them from the complete subtrees it keeps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

EMPTY_ROOT = hashlib.sha256(b"").digest()
# MTH(D[lo:hi]) for a range a proof needs; such a range starts on a multiple of a power of two
# at least as large as the range, so it is a run of complete subtrees, largest first.
RangeRoot = Callable[[int, int], bytes]


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]): the root over the leaves, computed level by level."""
    if not leaves:
        return EMPTY_ROOT
    level = [leaf_hash(leaf) for leaf in leaves]
    return _fold(level)


def levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the complete tree over 2**k leaves: their hashes first, the root last."""
    sha256 = hashlib.sha256
    level = [sha256(b"\x00" + leaf).digest() for leaf in leaves]
    found = [level]
    while len(level) > 1:
        level = [
            sha256(b"\x01" + a + b).digest() for a, b in zip(level[::2], level[1::2], strict=True)
        ]
        found.append(level)
    return found


def subtrees(lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """The complete subtrees (level, position) that make up leaves lo to hi, largest first when
    lo is a multiple of a power of two at least hi - lo (every range a proof asks for is)."""
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        while lo % (1 << level):
            level -= 1
        yield level, lo >> level
        lo += 1 << level


def fold_right(nodes: Sequence[bytes]) -> bytes:
    """The root over complete subtrees given largest first."""
    if not nodes:
        return EMPTY_ROOT
    node = nodes[-1]
    for left in reversed(nodes[:-1]):
        node = node_hash(left, node)
    return node


def _fold(level: list[bytes]) -> bytes:
    # Pairing left to right and carrying an odd last node up gives the RFC's tree shape.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def _split(n: int) -> int:
    """The largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index` (0-based)."""
    return inclusion_path(index, len(leaves), _over(leaves))


def inclusion_path(index: int, size: int, range_root: RangeRoot) -> list[bytes]:
    """PATH(m, D[n]) with the roots of its ranges asked of `range_root`."""
    return _path(index, 0, size, range_root)


def _path(m: int, lo: int, hi: int, range_root: RangeRoot) -> list[bytes]:
    if hi - lo <= 1:
        return []
    k = _split(hi - lo)
    if m < k:
        return [*_path(m, lo, lo + k, range_root), range_root(lo + k, hi)]
    return [*_path(m - k, lo + k, hi, range_root), range_root(lo, lo + k)]


def _over(leaves: Sequence[bytes]) -> RangeRoot:
    return lambda lo, hi: root(leaves[lo:hi])


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """Check an audit path (RFC 9162 section 2.1.3.2)."""
    if index >= size:
        return False
    fn, sn, node = index, size - 1, leaf_hash(leaf)
    for sibling in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            node = node_hash(sibling, node)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = node_hash(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and node == expected_root


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): shows the tree of the first old_size leaves is a prefix of this one."""
    return consistency_path(old_size, len(leaves), _over(leaves))


def consistency_path(old_size: int, size: int, range_root: RangeRoot) -> list[bytes]:
    """PROOF(m, D[n]) with the roots of its ranges asked of `range_root`."""
    if old_size <= 0 or old_size >= size:
        return []
    return _subproof(old_size, 0, size, True, range_root)


def _subproof(m: int, lo: int, hi: int, complete: bool, range_root: RangeRoot) -> list[bytes]:
    if m == hi - lo:
        return [] if complete else [range_root(lo, hi)]
    k = _split(hi - lo)
    if m <= k:
        return [*_subproof(m, lo, lo + k, complete, range_root), range_root(lo + k, hi)]
    return [*_subproof(m - k, lo + k, hi, False, range_root), range_root(lo, lo + k)]


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof (RFC 9162 section 2.1.4.2)."""
    if old_size == new_size:
        return old_root == new_root and not proof
    if old_size == 0 or old_size > new_size or not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(node, fr), node_hash(node, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


@dataclass
class CompactRange:
    """The tree over the leaves appended so far, held as the roots of its complete subtrees
    (one per set bit of the size, largest first): enough for its root and to append to it."""

    size: int = 0
    nodes: list[bytes] = field(default_factory=list)
    keep_from: int | None = None  # the lowest level of complete subtrees to collect
    kept: list[tuple[int, int, bytes]] = field(default_factory=list)

    def append(self, leaves: Sequence[bytes]) -> None:
        """Append leaves in order, a complete subtree at a time where the size allows."""
        done = 0
        while done < len(leaves):
            level = (len(leaves) - done).bit_length() - 1
            while self.size % (1 << level):
                level -= 1
            self._push(levels(leaves[done : done + (1 << level)]))
            done += 1 << level

    def root(self) -> bytes:
        return fold_right(self.nodes)

    def _push(self, subtree: list[list[bytes]]) -> None:
        level = len(subtree) - 1
        for lower, nodes in enumerate(subtree):
            self._keep(lower, self.size >> lower, nodes)
        node, self.size = subtree[-1][0], self.size + (1 << level)
        while self.size & (1 << level) == 0:  # equal neighbours merge into their parent
            node, level = node_hash(self.nodes.pop(), node), level + 1
            self._keep(level, (self.size >> level) - 1, [node])
        self.nodes.append(node)

    def _keep(self, level: int, first: int, nodes: list[bytes]) -> None:
        if self.keep_from is not None and level >= self.keep_from:
            self.kept.extend((level, first + i, node) for i, node in enumerate(nodes))

"""The complete subtrees of the Merkle tree kept in `audit_tree`, and the proofs read from them.

Each checkpoint keeps the roots of the complete subtrees of 2**LEVEL leaves and more that it has
just verified (the migration kept those of the trail before it). A proof then reads O(log n) of
them, plus the leaves of at most two blocks of 2**LEVEL, plus any leaves written since the last
checkpoint. Nothing here is trusted: a proof is checked by whoever holds the signed root, and an
incremental verification checks the nodes it starts from against its checkpoint's root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Select, SmallInteger, and_, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from audit import merkle
from audit.models import AuditEvent, AuditTreeNode

LEVEL = 4
Key = tuple[int, int]  # (level, position): leaves position * 2**level to (position + 1) * 2**level
Proof = Callable[[merkle.RangeRoot], list[bytes]]
CHUNK = 5000


def store(session: Session, nodes: Iterable[tuple[int, int, bytes]]) -> None:
    """Keep these complete subtrees, leaving any already kept as they are."""
    rows = [{"level": level, "position": at, "hash": node.hex()} for level, at, node in nodes]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(AuditTreeNode).on_conflict_do_nothing()
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start : start + CHUNK])


class Subtrees:
    """Roots of complete subtrees, read in one statement where the kept ones cover them: kept
    nodes, and the leaves (the events' hashes) of the blocks smaller than the kept ones; a node
    not kept is asked for again as its two children."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[Key, bytes] = {}
        self.events: dict[int, str] = {}  # the stored hash of each event read, by sequence

    def range_root(self, lo: int, hi: int) -> bytes:
        return merkle.fold_right([self.known[key] for key in merkle.subtrees(lo, hi)])

    def fetch(self, wanted: Iterable[Key]) -> None:
        """Find every wanted root; raise ValueError when a leaf the trail should hold is not."""
        wanted = set(wanted)
        pending = wanted - self.known.keys()
        while pending:
            self._read(pending)
            missing = [key for key in pending if key not in self.known and key[0] >= LEVEL]
            pending = {child for key in missing for child in _children(key)} - self.known.keys()
        for key in sorted(wanted):
            self._compute(key)

    def _read(self, keys: set[Key]) -> None:
        blocks = _merged(sorted(((at << lv) + 1, (at + 1) << lv) for lv, at in keys if lv < LEVEL))
        kept = [key for key in keys if key[0] >= LEVEL]
        parts = [_kept(kept)] if kept else []
        if blocks:
            parts.append(_events(blocks))
        for level, at, value in self.session.execute(union_all(*parts)):
            if level < 0:
                self.events[at] = value
                self.known[(0, at - 1)] = merkle.leaf_hash(bytes.fromhex(value))
            else:
                self.known[(level, at)] = bytes.fromhex(value)
        if any(seq not in self.events for first, last in blocks for seq in range(first, last + 1)):
            raise ValueError("the trail is missing events inside this tree")

    def _compute(self, key: Key) -> bytes:
        if key not in self.known:
            left, right = (self._compute(child) for child in _children(key))
            self.known[key] = merkle.node_hash(left, right)
        return self.known[key]


def _kept(keys: list[Key]) -> Select[int, int, str]:
    """The kept nodes of these keys, a level at a time, each found through the primary key:
    SQLite answers a row-value IN by reading the whole table, a dozen milliseconds at a million
    events. At most one term a level, however many nodes a level asks for."""
    node, by_level = AuditTreeNode, dict[int, list[int]]()
    for level, at in sorted(keys):
        by_level.setdefault(level, []).append(at)
    where = or_(*(and_(node.level == lv, node.position.in_(ats)) for lv, ats in by_level.items()))
    return select(node.level, node.position, node.hash).where(where)


def _events(blocks: list[tuple[int, int]]) -> Select[int, int, str]:
    where = or_(*(AuditEvent.seq.between(first, last) for first, last in blocks))
    return select(literal(-1, SmallInteger), AuditEvent.seq, AuditEvent.hash).where(where)


def _children(key: Key) -> tuple[Key, Key]:
    level, at = key
    return (level - 1, 2 * at), (level - 1, 2 * at + 1)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, possibly adjacent ranges of sequence numbers as few ranges as cover them."""
    merged: list[tuple[int, int]] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def frontier(session: Session, size: int) -> list[bytes]:
    """The roots of the complete subtrees that make up the first `size` leaves, largest first."""
    keys = list(merkle.subtrees(0, size))
    found = Subtrees(session)
    found.fetch(keys)
    return [found.known[key] for key in keys]


def root(session: Session, size: int) -> bytes:
    return merkle.fold_right(frontier(session, size))


def inclusion(session: Session, index: int, size: int) -> tuple[list[bytes], bytes, str]:
    """The audit path of leaf `index` in the tree of `size` leaves, that tree's root, and the
    leaf (the event's stored hash)."""
    found = Subtrees(session)
    asked = _asked(lambda at: [at(0, size), *merkle.inclusion_path(index, size, at)], found, index)
    return asked[1:], asked[0], found.events[index + 1]


def consistency(session: Session, old_size: int, size: int) -> tuple[list[bytes], bytes, bytes]:
    """The proof that the tree of `old_size` leaves is a prefix of the tree of `size` leaves,
    and the roots of both."""
    asked = _asked(
        lambda at: [at(0, old_size), at(0, size), *merkle.consistency_path(old_size, size, at)],
        Subtrees(session),
    )
    return asked[2:], asked[0], asked[1]


def _asked(proof: Proof, found: Subtrees, leaf: int | None = None) -> list[bytes]:
    """Run the proof once to learn the ranges it needs, fetch them together (with the leaf, if
    one is named), and run it again."""
    wanted: list[Key] = [] if leaf is None else [(0, leaf)]

    def note(lo: int, hi: int) -> bytes:
        wanted.extend(merkle.subtrees(lo, hi))
        return b""

    proof(note)
    found.fetch(wanted)
    return proof(found.range_root)

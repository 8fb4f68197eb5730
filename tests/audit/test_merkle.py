"""RFC 6962 Merkle trees: audit/merkle.py against the RFC's recursive definitions, and the proofs
the auditor's API hands out, checked against a signed checkpoint."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit import merkle, signing
from tests.factories import Api

LEAVES = [hashlib.sha256(f"event {i}".encode()).digest() for i in range(70)]
SIZES = range(71)


# --- RFC 6962 section 2.1, written as the RFC writes it -------------------------------------------


def _k(n: int) -> int:
    """The largest power of two smaller than n."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) <= 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    return subproof(m, d, True)


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def flipped(node: bytes) -> bytes:
    return bytes([node[0] ^ 0x01]) + node[1:]


# --- the module against the RFC -------------------------------------------------------------------


def test_the_reference_matches_the_rfc_by_hand() -> None:
    a, b, c = LEAVES[:3]
    leaf = [hashlib.sha256(b"\x00" + x).digest() for x in (a, b, c)]
    ab = hashlib.sha256(b"\x01" + leaf[0] + leaf[1]).digest()
    assert mth([a, b, c]) == hashlib.sha256(b"\x01" + ab + leaf[2]).digest()
    assert path(2, [a, b, c]) == [ab]
    assert proof(2, [a, b, c]) == [leaf[2]]


@pytest.mark.parametrize("size", SIZES)
def test_roots_agree_with_the_rfc(size: int) -> None:
    assert merkle.root(LEAVES[:size]) == mth(LEAVES[:size])


@pytest.mark.parametrize("size", SIZES[1:])
def test_every_inclusion_proof_verifies_and_nothing_else_does(size: int) -> None:
    tree = LEAVES[:size]
    root = mth(tree)
    for index in range(size):
        audit_path = merkle.inclusion_proof(index, tree)
        assert audit_path == path(index, tree)
        leaf = tree[index]
        assert merkle.verify_inclusion(index, size, leaf, audit_path, root)
        assert not merkle.verify_inclusion(index, size, flipped(leaf), audit_path, root)
        assert not merkle.verify_inclusion(index, size, leaf, audit_path, flipped(root))
        assert not merkle.verify_inclusion(index, size, leaf, audit_path, mth(tree[:-1]))
        assert not merkle.verify_inclusion(size, size, leaf, audit_path, root)
        for other in {index - 1, index + 1} & set(range(size)):
            assert not merkle.verify_inclusion(other, size, leaf, audit_path, root)
            assert not merkle.verify_inclusion(index, size, tree[other], audit_path, root)
        if audit_path:
            assert not merkle.verify_inclusion(index, size, leaf, audit_path[:-1], root)
            assert not merkle.verify_inclusion(index, size, leaf, [*audit_path, root], root)


@pytest.mark.parametrize("size", SIZES[1:])
def test_every_consistency_proof_verifies_and_fails_for_a_wrong_root(size: int) -> None:
    tree = LEAVES[:size]
    new_root = mth(tree)
    for old in range(1, size + 1):
        old_root = mth(tree[:old])
        consistency = merkle.consistency_proof(old, tree)
        assert consistency == proof(old, tree)
        assert merkle.verify_consistency(old, size, old_root, new_root, consistency)
        assert not merkle.verify_consistency(old, size, flipped(old_root), new_root, consistency)
        assert not merkle.verify_consistency(old, size, old_root, flipped(new_root), consistency)
        if old < size:
            wrong_old = mth([*tree[: old - 1], flipped(tree[old - 1])])
            assert not merkle.verify_consistency(old, size, wrong_old, new_root, consistency)
            assert not merkle.verify_consistency(old, size, old_root, new_root, consistency[:-1])
            assert not merkle.verify_consistency(size, old, new_root, old_root, consistency)


# --- the proofs the API gives, against a signed checkpoint ----------------------------------------


def _checkpoint(api: Api) -> dict[str, Any]:
    response = api.post("auditor", "/api/v1/audit/checkpoints")
    assert response.status_code == 201, response.json
    body = dict(response.json)
    listed = api.get("auditor", "/api/v1/audit/checkpoints").json
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(listed["public_key"]))
    assert signing.verify(public, body)
    return body


def _event_hashes(api: Api) -> list[str]:
    response = api.get("auditor", "/api/v1/audit/events?limit=500")
    assert response.status_code == 200, response.json
    return [event["hash"] for event in response.json["events"]]


def _traffic(api: Api, cases: int) -> None:
    for _ in range(cases):
        case = api.create_case()
        api.case("lawyer", case["id"])


def test_inclusion_proofs_from_the_api_verify_against_a_checkpoint(api: Api) -> None:
    _traffic(api, 4)
    checkpoint = _checkpoint(api)
    size, root = checkpoint["seq"], bytes.fromhex(checkpoint["merkle_root"])
    hashes = _event_hashes(api)
    assert size >= 9
    for seq in range(1, size + 1):
        response = api.get("auditor", f"/api/v1/audit/proofs/inclusion?seq={seq}&size={size}")
        assert response.status_code == 200, response.json
        body = response.json
        assert body["leaf"] == hashes[seq - 1] and body["root"] == checkpoint["merkle_root"]
        audit_path = [bytes.fromhex(node) for node in body["path"]]
        leaf = bytes.fromhex(hashes[seq - 1])
        assert merkle.verify_inclusion(seq - 1, size, leaf, audit_path, root)
        assert not merkle.verify_inclusion(seq - 1, size, flipped(leaf), audit_path, root)


def test_consistency_proofs_from_the_api_tie_two_checkpoints(api: Api) -> None:
    _traffic(api, 2)
    older = _checkpoint(api)
    _traffic(api, 3)
    newer = _checkpoint(api)
    old_size, new_size = older["seq"], newer["seq"]
    old_root, new_root = (bytes.fromhex(cp["merkle_root"]) for cp in (older, newer))
    assert old_size < new_size

    response = api.get("auditor", f"/api/v1/audit/proofs/consistency?old={old_size}&new={new_size}")
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["old_root"], body["new_root"]) == (older["merkle_root"], newer["merkle_root"])
    consistency = [bytes.fromhex(node) for node in body["proof"]]
    assert merkle.verify_consistency(old_size, new_size, old_root, new_root, consistency)
    assert not merkle.verify_consistency(
        old_size, new_size, flipped(old_root), new_root, consistency
    )


def test_proofs_default_to_the_head_and_refuse_sizes_beyond_it(api: Api) -> None:
    _traffic(api, 1)
    checkpoint = _checkpoint(api)
    response = api.get("auditor", "/api/v1/audit/proofs/inclusion?seq=1")
    assert response.status_code == 200
    assert response.json["tree_size"] > checkpoint["seq"]

    beyond = checkpoint["seq"] + 1000
    for url in (
        f"/api/v1/audit/proofs/inclusion?seq={beyond}",
        f"/api/v1/audit/proofs/inclusion?seq=1&size={beyond}",
        f"/api/v1/audit/proofs/consistency?old=1&new={beyond}",
        f"/api/v1/audit/proofs/consistency?old={beyond}",
    ):
        response = api.get("auditor", url)
        assert response.status_code == 422, url
        assert response.json["error"]["code"] == "invalid_input"


def test_proofs_are_for_auditors_only(api: Api) -> None:
    _traffic(api, 1)
    for url in ("/api/v1/audit/proofs/inclusion?seq=1", "/api/v1/audit/proofs/consistency?old=1"):
        response = api.get("lawyer", url)
        assert response.status_code == 403

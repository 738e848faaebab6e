"""Node-to-node transport: authenticated, encrypted messages between nodes known by their Ed25519
keys. It knows sockets, not consensus: what a message means is the business of the layers above,
which register the kinds they speak with the codec.

``curve``     X25519 keys for CurveZMQ, derived from Ed25519 keys
``codec``     the envelope on the wire: version, kind, payload; strict, with size limits
``announce``  signed address announcements and the pure address book
``limits``    per-peer token buckets
``stats``     what the transport counts, and why it drops
``zap``       the ZAP handler, in the transport's poll loop
``transport`` Transport: ROUTER server, a DEALER per peer, poll, send, reply
"""

from sesh.net.announce import (
    AddressBook,
    Announcement,
    PeerAddress,
    Verdict,
    sign_announcement,
)
from sesh.net.codec import Codec, Envelope, MalformedMessage, MessageTooLarge, UnknownKind
from sesh.net.curve import CurveKeypair, curve_keypair, curve_public_key
from sesh.net.limits import PeerLimiter, RateLimit, TokenBucket
from sesh.net.stats import DropReason, TransportStats
from sesh.net.transport import Incoming, Transport

__all__ = [
    "AddressBook",
    "Announcement",
    "Codec",
    "CurveKeypair",
    "DropReason",
    "Envelope",
    "Incoming",
    "MalformedMessage",
    "MessageTooLarge",
    "PeerAddress",
    "PeerLimiter",
    "RateLimit",
    "TokenBucket",
    "Transport",
    "TransportStats",
    "UnknownKind",
    "Verdict",
    "curve_keypair",
    "curve_public_key",
    "sign_announcement",
]

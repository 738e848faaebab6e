"""Node-to-node transport: authenticated, encrypted messages between nodes known by their Ed25519
keys. It knows sockets, not consensus: what a message means is the business of the layers above,
which register the kinds they speak with the codec.

``curve``     X25519 keys for CurveZMQ, derived from Ed25519 keys
``codec``     the envelope on the wire: version, kind, payload; strict, with size limits
``announce``  signed address announcements and the pure address book
``limits``    per-peer token buckets
"""

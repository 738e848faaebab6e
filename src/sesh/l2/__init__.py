"""The L2 tracker: the rewards contract's events, confirmed and reorg-safe, as plain values."""

"""sesh: the Session Network in Python.

Layers, bottom to top (a layer imports only the layers below it): ``bls`` (BN254 BLS exactly as
the contracts verify it), ``evm`` (compiling, deploying, chain backends), then the node, the
aggregator, the portal and the programs, and at the top ``devnet`` and ``cli``.
"""

__version__ = "0.1.0"

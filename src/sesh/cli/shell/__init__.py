"""The shell every `sesh` verb shares: options, the one error type, signals, records, defaults.

Each idea is one module: ``defaults`` (the devnet's RPC URL and record path, defined once),
``errors`` (``CommandError`` and ``run_verb``: one line on stderr, an exit code), ``options``
(``--rpc``, ``--deployment``, the signer options, ``--json``), ``records`` (reading a deployment
record, with refusals in words) and ``signals`` (Ctrl-C, SIGTERM and SIGHUP as "stop cleanly").
"""

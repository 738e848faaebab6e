"""The one error type of the command line, and the shell that turns any failure into one line.

Every verb raises ``CommandError`` for what it refuses (a usage mistake: exit code 2, found
before anything was sent; anything else: 1), and runs inside ``run_verb``, which also turns the
failures of the layers below (a chain that is down, a key file that cannot be read, contracts
that do not compile) into ``sesh VERB: error: …`` on stderr and the exit code: never a
traceback, never a key, never a silent wrong state. Output cut short by a closed pipe
(``sesh node status | head``) ends quietly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


class CommandError(Exception):
    """A failure to report as one line, with the exit code to return (2: a usage mistake,
    found before anything was sent; 1: anything else)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def one_line(error: BaseException) -> str:
    """An exception's message on one line (some web3 and requests messages span several)."""
    return " ".join(str(error).split()) or type(error).__name__


def run_verb(verb: str, action: Callable[[], int], also: tuple[type[Exception], ...] = ()) -> int:
    """Run ``action``; every failure becomes one line on stderr, ``sesh VERB: error: …``, and
    a non-zero exit code (2 for usage mistakes, 130 for Ctrl-C, 1 otherwise). ``also`` names
    the verb's own failures that read well as one line (a node's store, its tracker)."""
    from sesh.evm.artifacts import SourceError
    from sesh.evm.compiler import CompileError
    from sesh.evm.failures import chain_errors
    from sesh.keys import KeyFileError

    try:
        return action()
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and nobody to say it to.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing left to flush at exit either
        os.close(devnull)
        return 0
    except CommandError as error:
        message, code = str(error), error.code
    except also as error:
        message, code = one_line(error), 1
    except KeyFileError as error:
        message, code = str(error), 1
    except (CompileError, SourceError) as error:
        message, code = f"the contracts do not compile: {one_line(error)}", 1
    except chain_errors() as error:
        # A refusal (TransactionRefused) already reads "Contract refused: Error(args)".
        message, code = one_line(error), 1
    except KeyboardInterrupt:
        message, code = "interrupted", 130
    print(f"sesh {verb}: error: {message}", file=sys.stderr)
    return code

# pragma version ~=0.4.3
"""
@title Imports a module from the project's contracts root, for compiler tests
"""

from lib import errors


@external
def refuse():
    errors._invalid_initialization()

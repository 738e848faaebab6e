# pragma version ~=0.4.3
"""
@title EIP-712 domain with EIP-5267 discovery
@notice The domain binds typed signatures to this contract's name, version,
        chain and address: EIP712Domain(string name, string version,
        uint256 chainId, address verifyingContract). `eip712Domain()`
        (EIP-5267) tells wallets those fields.
@dev The domain separator is computed once at deployment and recomputed
     only if the chain id changes (a fork) or the code runs at another
     address (delegatecall), as OpenZeppelin's EIP712 does.
     Immutables (no storage):
       _NAME, _VERSION                 the domain's name and version strings
       _HASHED_NAME, _HASHED_VERSION   their keccak256
       _CACHED_DOMAIN_SEPARATOR        the separator at deployment
       _CACHED_CHAIN_ID, _CACHED_SELF  the chain and address it is valid for
"""


# keccak256 of the EIP-712 domain type.
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
# EIP-5267 field bitmap: name, version, chainId, verifyingContract (no salt,
# no extensions).
FIELDS: constant(bytes1) = 0x0f
# The longest domain name and version this module stores.
MAX_NAME_LENGTH: constant(uint256) = 50
MAX_VERSION_LENGTH: constant(uint256) = 20


# The domain's name and version, as `eip712Domain()` answers them.
_NAME: immutable(String[MAX_NAME_LENGTH])
_VERSION: immutable(String[MAX_VERSION_LENGTH])
# Their keccak256, as the domain separator hashes them.
_HASHED_NAME: immutable(bytes32)
_HASHED_VERSION: immutable(bytes32)
# The separator at deployment, valid while chain id and address are as below.
_CACHED_DOMAIN_SEPARATOR: immutable(bytes32)
# The chain id at deployment.
_CACHED_CHAIN_ID: immutable(uint256)
# The address the code was deployed at (not a delegatecaller's).
_CACHED_SELF: immutable(address)


@deploy
def __init__(name: String[MAX_NAME_LENGTH], version: String[MAX_VERSION_LENGTH]):
    """
    @notice Sets the EIP-712 domain of the contract that initialises this
            module: its name and version, with this chain and address.
    @dev Fixes the domain's name and version and caches its separator.
    @param name The domain name, at most 50 bytes (the token's name for a
           permit).
    @param version The domain version, at most 20 bytes ("1" for
           OpenZeppelin's ERC20Permit).
    """
    _NAME = name
    _VERSION = version
    _HASHED_NAME = keccak256(name)
    _HASHED_VERSION = keccak256(version)
    _CACHED_CHAIN_ID = chain.id
    _CACHED_SELF = self
    _CACHED_DOMAIN_SEPARATOR = self._build_domain_separator()


@external
@view
def DOMAIN_SEPARATOR() -> bytes32:
    """
    @notice The EIP-712 domain separator signatures for this contract use.
    @return bytes32 The 32-byte domain separator.
    """
    return self._domain_separator()


@external
@view
def eip712Domain() -> (
    bytes1,
    String[MAX_NAME_LENGTH],
    String[MAX_VERSION_LENGTH],
    uint256,
    address,
    bytes32,
    DynArray[uint256, 1],
):
    """
    @notice The fields of the EIP-712 domain (EIP-5267).
    @return bytes1 The 1-byte bitmap of fields present (0x0f).
    @return String The domain name.
    @return String The domain version.
    @return uint256 The 32-byte chain id.
    @return address The 20-byte verifying contract (this contract).
    @return bytes32 The 32-byte salt (unused, zero).
    @return DynArray The extensions (none).
    """
    return (FIELDS, _NAME, _VERSION, chain.id, self, empty(bytes32), [])


@internal
@view
def _domain_separator() -> bytes32:
    """
    @dev The cached separator, or a fresh one after a fork or under
         delegatecall.
    @return bytes32 The 32-byte domain separator.
    """
    if self == _CACHED_SELF and chain.id == _CACHED_CHAIN_ID:
        return _CACHED_DOMAIN_SEPARATOR
    return self._build_domain_separator()


@internal
@view
def _build_domain_separator() -> bytes32:
    """
    @dev hashStruct(EIP712Domain) for this chain and address.
    @return bytes32 The 32-byte domain separator.
    """
    return keccak256(abi_encode(DOMAIN_TYPEHASH, _HASHED_NAME, _HASHED_VERSION, chain.id, self))


@internal
@view
def _hash_typed_data(struct_hash: bytes32) -> bytes32:
    """
    @dev The digest to sign for a struct in this domain:
         keccak256(0x1901 ‖ domain separator ‖ struct hash).
    @param struct_hash The 32-byte hashStruct of the message.
    @return bytes32 The 32-byte digest.
    """
    return keccak256(concat(x"1901", self._domain_separator(), struct_hash))

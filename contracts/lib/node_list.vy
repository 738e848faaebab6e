# pragma version ~=0.4.3
"""
@title The node list of ServiceNodeRewards
@custom:contract-name node_list
@license MIT
@notice The registered nodes, one packed record each, linked in
        registration order behind a sentinel (id 0). Appending, unlinking,
        walking, and every read and write of a record's packed fields are
        here, each field under one name.
@dev Initialised once, by ServiceNodeRewards (`initializes: node_list`), at
     the place in its storage block where its `_nodes` mapping has always
     been. The host keeps the key indexes, the aggregate key and the
     counters; this module knows only records, links and the leave-request
     rules.

     Every field's position is a named constant below. The pure unpack
     helpers (`_next`, `_prev`, `_added`, ...) serve the views and walks.
     The operations on the paths that cost gas (`_append`, `_unlink`,
     `_request_leave`, `_key_matches`, `_pending_exit`) are one call each
     and read and write the fields inline with the same constants: an
     internal call costs about 60 gas. The host itself reads a record in
     one place only, the key in its non-signer loop, for the same reason.

     Storage:
       _nodes  HashMap[uint64, NodeRecord]  one slot, the mapping's base

     A record's bit layout (the `NodeRecord` words):
       key          the BLS key, compressed: X | (Y & 1) << 255 (X < p < 2^254).
                    Zero exactly when no node has this id (a live key has
                    X != 0). One slot instead of two because every read of a
                    key is a cold storage read (2,100 gas a slot), while
                    recomputing Y from X costs one modexp call (about
                    1,450): each listed non-signer reads one key. First in
                    the record, so that its slot is the mapping's hash itself.
       links        next (64) | prev << 64 | addedTimestamp << 128 (64)
                    | contributor count << 192 (8)
       operator     operator (160) | deposit << 160 (96)
       leave        leaveRequestTimestamp (128) | latestLeaveRequestTimestamp << 128
       ed25519      the Ed25519 key
       contributors two words per contributor: addr (160) | stake << 160
                    (96), and beneficiary XOR addr (zero, so never written,
                    when the contributor is its own beneficiary)
     The sentinel uses `links` only: next is the head, prev the tail.
     Deposits and stakes fit 96 bits because the host keeps the staking
     requirement below 2^96; a timestamp fits 64 bits.

     A removed node keeps its stale words but `links` and `key`: every read
     of the others goes through one of those two (the contributor count, or
     liveness), and clearing a cold slot costs more than its refund returns.
"""

from lib import errors
from lib import structs


# -- the record --------------------------------------------------------------------------------


struct NodeRecord:
    # The compressed BLS key; zero for no node.
    key: uint256
    # next | prev | addedTimestamp | contributor count.
    links: uint256
    # operator | deposit.
    operator: uint256
    # leaveRequestTimestamp | latestLeaveRequestTimestamp.
    leave: uint256
    # The Ed25519 key.
    ed25519: uint256
    # Two words per contributor: address | stake, beneficiary XOR address.
    contributors: uint256[2 * structs.MAX_CONTRIBUTORS]


# -- constants ---------------------------------------------------------------------------------

# @dev The list's sentinel: its `links` hold the head and the tail.
SENTINEL: constant(uint64) = 0

# @dev The leave-request rules (the host publishes them under these names):
#      contributors of less than a quarter of the deposit may ask only 30 days
#      after registration, and a repeated request needs an hour since the last.
SMALL_CONTRIBUTOR_DIVISOR: constant(uint256) = 4
SMALL_CONTRIBUTOR_LEAVE_DELAY: constant(uint256) = 30 * 86_400
MIN_TIME_BEFORE_REPEATED_LEAVE_REQUEST: constant(uint256) = 3_600

MASK_8: constant(uint256) = 2**8 - 1
MASK_64: constant(uint256) = 2**64 - 1
MASK_96: constant(uint256) = 2**96 - 1
MASK_128: constant(uint256) = 2**128 - 1
MASK_160: constant(uint256) = 2**160 - 1

# @dev The fields' positions (see the header).
KEY_X_MASK: constant(uint256) = 2**255 - 1
KEY_PARITY_SHIFT: constant(uint256) = 255
PREV_SHIFT: constant(uint256) = 64
ADDED_SHIFT: constant(uint256) = 128
COUNT_SHIFT: constant(uint256) = 192
DEPOSIT_SHIFT: constant(uint256) = 160
LATEST_LEAVE_SHIFT: constant(uint256) = 128
STAKE_SHIFT: constant(uint256) = 160

# @dev The BN254 base field modulus, for recovering Y from X.
FIELD_MODULUS: constant(uint256) = 21888242871839275222246405745257275088696311157297823662689037894645226208583
MODEXP: constant(address) = 0x0000000000000000000000000000000000000005
# @dev p ≡ 3 (mod 4), so a square a has the roots ±a^((p + 1) / 4).
SQRT_EXPONENT: constant(uint256) = (FIELD_MODULUS + 1) // 4
# @dev The modexp call's lengths of base, exponent and modulus.
WORD: constant(uint256) = 32


# -- state -------------------------------------------------------------------------------------

# Every node's record by id; id 0 is the sentinel.
_nodes: HashMap[uint64, NodeRecord]


# -- packing -----------------------------------------------------------------------------------


@internal
@view
def _unpack_key(word: uint256) -> uint256[2]:
    """
    @dev A stored key, uncompressed (zero stays zero). Y is the root of
         x³ + 3 whose parity was stored; stored keys are points of G1, so
         the root exists. The host's `_sum_non_signers` has this inline.
    @param word The 32-byte compressed key.
    @return uint256[2] The key's (X, Y).
    """
    if word == 0:
        return [0, 0]
    x: uint256 = word & KEY_X_MASK
    rhs: uint256 = uint256_addmod(uint256_mulmod(uint256_mulmod(x, x, FIELD_MODULUS), x, FIELD_MODULUS), 3, FIELD_MODULUS)
    root: Bytes[32] = raw_call(
        MODEXP,
        abi_encode(WORD, WORD, WORD, rhs, SQRT_EXPONENT, FIELD_MODULUS),
        max_outsize=32,
        is_static_call=True,
    )
    y: uint256 = extract32(root, 0, output_type=uint256)
    if y & 1 != word >> KEY_PARITY_SHIFT:
        y = FIELD_MODULUS - y
    return [x, y]


@internal
@pure
def _next(links: uint256) -> uint64:
    """
    @param links A `links` word.
    @return uint64 The next node's id (the head, for the sentinel).
    """
    return convert(links & MASK_64, uint64)


@internal
@pure
def _prev(links: uint256) -> uint64:
    """
    @param links A `links` word.
    @return uint64 The previous node's id (the tail, for the sentinel).
    """
    return convert((links >> PREV_SHIFT) & MASK_64, uint64)


@internal
@pure
def _added(links: uint256) -> uint256:
    """
    @param links A `links` word.
    @return uint256 When the node registered.
    """
    return (links >> ADDED_SHIFT) & MASK_64


@internal
@pure
def _count(links: uint256) -> uint256:
    """
    @param links A `links` word.
    @return uint256 The node's number of contributors.
    """
    return (links >> COUNT_SHIFT) & MASK_8


@internal
@pure
def _operator(operator: uint256) -> address:
    """
    @param operator An `operator` word.
    @return address The node's operator (its first contributor).
    """
    return convert(operator & MASK_160, address)


@internal
@pure
def _deposit(operator: uint256) -> uint256:
    """
    @param operator An `operator` word.
    @return uint256 The node's deposit.
    """
    return (operator >> DEPOSIT_SHIFT) & MASK_96


@internal
@pure
def _requested(leave: uint256) -> uint256:
    """
    @param leave A `leave` word.
    @return uint256 The first leave request's time (0: none).
    """
    return leave & MASK_128


@internal
@pure
def _latest_request(leave: uint256) -> uint256:
    """
    @param leave A `leave` word.
    @return uint256 The latest leave request's time (0: none).
    """
    return leave >> LATEST_LEAVE_SHIFT


@internal
@pure
def _staker(stake: uint256) -> address:
    """
    @param stake A contributor's first word.
    @return address The contributor's address.
    """
    return convert(stake & MASK_160, address)


@internal
@pure
def _stake(stake: uint256) -> uint256:
    """
    @param stake A contributor's first word.
    @return uint256 The contributor's stake.
    """
    return (stake >> STAKE_SHIFT) & MASK_96


# -- reading -----------------------------------------------------------------------------------


@internal
@view
def _exists(serviceNodeID: uint64) -> bool:
    """
    @param serviceNodeID Any id.
    @return bool Whether a live node has this id (never the sentinel).
    """
    return self._nodes[serviceNodeID].key != 0


@internal
@view
def _key_word(serviceNodeID: uint64) -> uint256:
    """
    @param serviceNodeID Any id.
    @return uint256 The node's compressed key; zero when no node has this id.
    """
    return self._nodes[serviceNodeID].key


@internal
@view
def _pubkey(serviceNodeID: uint64) -> structs.G1Point:
    """
    @param serviceNodeID Any id.
    @return structs.G1Point The node's BLS key; (0, 0) when no node has this id.
    """
    point: uint256[2] = self._unpack_key(self._nodes[serviceNodeID].key)
    return structs.G1Point(X=point[0], Y=point[1])


@internal
@view
def _first() -> uint64:
    """
    @dev Starts a walk of the list: `_first()`, then `_after(id)` until 0.
    @return uint64 The oldest live node's id; 0 for an empty list.
    """
    return self._next(self._nodes[SENTINEL].links)


@internal
@view
def _after(serviceNodeID: uint64) -> uint64:
    """
    @param serviceNodeID A live node's id.
    @return uint64 The next node's id in registration order; 0 after the last.
    """
    return self._next(self._nodes[serviceNodeID].links)


@internal
@view
def _contributor(serviceNodeID: uint64, i: uint256) -> structs.Contributor:
    """
    @param serviceNodeID A live node's id.
    @param i The contributor's index, below the node's count.
    @return structs.Contributor The contributor, its beneficiary and stake.
    """
    stake: uint256 = self._nodes[serviceNodeID].contributors[2 * i]
    addr: address = self._staker(stake)
    # The second word is the beneficiary XOR the address (see the header).
    beneficiary: uint256 = self._nodes[serviceNodeID].contributors[2 * i + 1] ^ convert(addr, uint256)
    return structs.Contributor(
        staker=structs.Staker(addr=addr, beneficiary=convert(beneficiary, address)),
        stakedAmount=self._stake(stake),
    )


@internal
@view
def _key_matches(serviceNodeID: uint64, key: structs.G1Point) -> (bool, uint256):
    """
    @param serviceNodeID Any id.
    @param key A BLS key.
    @return bool Whether `key` is the node's key (never, for an unknown id).
    @return uint256 When the node registered.
    """
    matches: bool = self._nodes[serviceNodeID].key == key.X | ((key.Y & 1) << KEY_PARITY_SHIFT)
    return matches, (self._nodes[serviceNodeID].links >> ADDED_SHIFT) & MASK_64


@internal
@view
def _pending_exit(serviceNodeID: uint64) -> (uint256, uint256):
    """
    @param serviceNodeID Any id.
    @return uint256 The node's first leave request's time; 0 when it has
            none, or no node has this id (a removed node keeps a stale
            `leave` word: its cleared key tells it is gone).
    @return uint256 The node's compressed key.
    """
    word: uint256 = self._nodes[serviceNodeID].key
    if word == 0:
        return 0, 0
    return self._nodes[serviceNodeID].leave & MASK_128, word


@internal
@view
def _service_node(serviceNodeID: uint64) -> structs.ServiceNode:
    """
    @param serviceNodeID Any id; 0 for the sentinel.
    @return structs.ServiceNode Everything stored about the node, unpacked
            into the reference's struct; all zero when no node has this id.
    """
    if serviceNodeID != SENTINEL and not self._exists(serviceNodeID):
        return empty(structs.ServiceNode)
    links: uint256 = self._nodes[serviceNodeID].links
    operator: uint256 = self._nodes[serviceNodeID].operator
    leave: uint256 = self._nodes[serviceNodeID].leave
    stakers: DynArray[structs.Contributor, structs.MAX_CONTRIBUTORS] = []
    for i: uint256 in range(self._count(links), bound=structs.MAX_CONTRIBUTORS):
        stakers.append(self._contributor(serviceNodeID, i))
    return structs.ServiceNode(
        next=self._next(links),
        prev=self._prev(links),
        operator=self._operator(operator),
        blsPubkey=self._pubkey(serviceNodeID),
        addedTimestamp=self._added(links),
        leaveRequestTimestamp=self._requested(leave),
        latestLeaveRequestTimestamp=self._latest_request(leave),
        deposit=self._deposit(operator),
        contributors=stakers,
        ed25519Pubkey=self._nodes[serviceNodeID].ed25519,
    )


# -- writing -----------------------------------------------------------------------------------


@internal
def _append(
    serviceNodeID: uint64,
    key: structs.G1Point,
    ed25519: uint256,
    added: uint256,
    deposit: uint256,
    stakers: DynArray[structs.Contributor, structs.MAX_CONTRIBUTORS],
):
    """
    @dev Writes a new node's record and links it at the tail. The host has
         checked everything: a fresh id, a key of G1, a deposit below 2^96,
         1 to MAX_CONTRIBUTORS stakers, the first one the operator.
    @param serviceNodeID The node's id, never used before.
    @param key The node's BLS key.
    @param ed25519 The node's Ed25519 key.
    @param added When the node registered (below 2^64).
    @param deposit The node's stake.
    @param stakers The contributors, the operator first.
    """
    sentinel: uint256 = self._nodes[SENTINEL].links
    tail: uint64 = convert((sentinel >> PREV_SHIFT) & MASK_64, uint64)
    id_word: uint256 = convert(serviceNodeID, uint256)
    if tail == SENTINEL:
        self._nodes[SENTINEL].links = id_word | (id_word << PREV_SHIFT)
    else:
        self._nodes[tail].links = (self._nodes[tail].links & ~MASK_64) | id_word
        self._nodes[SENTINEL].links = (sentinel & MASK_64) | (id_word << PREV_SHIFT)
    self._nodes[serviceNodeID].links = (
        (convert(tail, uint256) << PREV_SHIFT)
        | (convert(convert(added, uint64), uint256) << ADDED_SHIFT)
        | (len(stakers) << COUNT_SHIFT)
    )
    self._nodes[serviceNodeID].operator = convert(stakers[0].staker.addr, uint256) | (deposit << DEPOSIT_SHIFT)
    self._nodes[serviceNodeID].key = key.X | ((key.Y & 1) << KEY_PARITY_SHIFT)
    self._nodes[serviceNodeID].ed25519 = ed25519
    for i: uint256 in range(len(stakers), bound=structs.MAX_CONTRIBUTORS):
        addr: uint256 = convert(stakers[i].staker.addr, uint256)
        self._nodes[serviceNodeID].contributors[2 * i] = addr | (stakers[i].stakedAmount << STAKE_SHIFT)
        beneficiary: uint256 = convert(stakers[i].staker.beneficiary, uint256) ^ addr
        if beneficiary != 0:
            self._nodes[serviceNodeID].contributors[2 * i + 1] = beneficiary


@internal
def _unlink(serviceNodeID: uint64) -> (uint256, uint256):
    """
    @dev Takes a live node out of the list and marks its record dead (see
         the header: only `links` and `key` are cleared).
    @param serviceNodeID A live node's id.
    @return uint256 The node's deposit.
    @return uint256 The node's Ed25519 key.
    """
    links: uint256 = self._nodes[serviceNodeID].links
    nxt: uint64 = convert(links & MASK_64, uint64)
    prv: uint64 = convert((links >> PREV_SHIFT) & MASK_64, uint64)
    self._nodes[prv].links = (self._nodes[prv].links & ~MASK_64) | convert(nxt, uint256)
    self._nodes[nxt].links = (self._nodes[nxt].links & ~(MASK_64 << PREV_SHIFT)) | (
        convert(prv, uint256) << PREV_SHIFT
    )
    deposit: uint256 = (self._nodes[serviceNodeID].operator >> DEPOSIT_SHIFT) & MASK_96
    ed25519: uint256 = self._nodes[serviceNodeID].ed25519
    self._nodes[serviceNodeID].links = 0
    self._nodes[serviceNodeID].key = 0
    return deposit, ed25519


@internal
def _request_leave(serviceNodeID: uint64, contributor: address):
    """
    @dev Records `contributor`'s leave request for the node, under the
         rules above: `CallerNotContributor` (also for an unknown id),
         `SmallContributorLeaveTooEarly`, `LeaveRequestTooEarly`. The first
         request's time never moves; the latest is now.
    @param serviceNodeID Any id.
    @param contributor The 20-byte address asking.
    """
    links: uint256 = self._nodes[serviceNodeID].links
    found: bool = False
    stake: uint256 = 0
    for i: uint256 in range((links >> COUNT_SHIFT) & MASK_8, bound=structs.MAX_CONTRIBUTORS):
        word: uint256 = self._nodes[serviceNodeID].contributors[2 * i]
        if convert(word & MASK_160, address) == contributor:
            found = True
            stake = (word >> STAKE_SHIFT) & MASK_96
            break
    if not found:
        errors._caller_not_contributor(serviceNodeID, contributor)
    leave: uint256 = self._nodes[serviceNodeID].leave
    requested: uint256 = leave & MASK_128
    if requested == 0:
        # Only a first request depends on the stake's size (and reads the deposit).
        deposit: uint256 = (self._nodes[serviceNodeID].operator >> DEPOSIT_SHIFT) & MASK_96
        added: uint256 = (links >> ADDED_SHIFT) & MASK_64
        if (
            stake * SMALL_CONTRIBUTOR_DIVISOR < deposit
            and block.timestamp < added + SMALL_CONTRIBUTOR_LEAVE_DELAY
        ):
            errors._small_contributor_leave_too_early(serviceNodeID, contributor)
        requested = block.timestamp
    else:
        allowed: uint256 = (leave >> LATEST_LEAVE_SHIFT) + MIN_TIME_BEFORE_REPEATED_LEAVE_REQUEST
        if block.timestamp < allowed:
            errors._leave_request_too_early(serviceNodeID, allowed, block.timestamp)
    self._nodes[serviceNodeID].leave = requested | (block.timestamp << LATEST_LEAVE_SHIFT)

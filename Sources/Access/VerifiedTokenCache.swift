/// What `TokenVerifier` found of a token's signature and claims, which depends only on the
/// token's bytes and the secret of the key that signed it: kept so a token sent again skips
/// the MAC and the JSON parse. What can change since (the key's place in the ring, the time,
/// the user) is checked again on every use.
public struct SignedToken: Sendable {
    let keyId: [UInt8]
    let keySecret: [UInt8]
    let claims: VerifiedClaims
}

/// Tokens whose signature and claims checked out, by their exact text, at most `capacity`,
/// the least recently used dropped first; lookups and inserts are O(1) (a table of slots linked
/// newest to oldest). Only tokens signed by a key of the ring enter, so a caller cannot fill it
/// with guesses; an entry is at most `TokenVerifier.tokenBytesMaximum` bytes of text and its
/// claims. Pure: the API guard keeps one behind a lock (Docs/ACCESS.md).
public struct VerifiedTokenCache: Sendable {
    public static let capacityDefault = 4_096

    private struct Slot {
        var token: String
        var signed: SignedToken
        /// The next slot towards the newest and towards the oldest (nil at either end).
        var newer: Int?
        var older: Int?
    }

    public let capacity: Int
    private var slots: [Slot] = []
    private var slotOfToken: [String: Int] = [:]
    private var newest: Int?
    private var oldest: Int?

    public init(capacity: Int = capacityDefault) {
        precondition(capacity >= 1, "a token cache holds at least one token")
        self.capacity = capacity
    }

    public var count: Int { slotOfToken.count }

    /// What was kept for exactly `token`, which becomes the most recently used.
    public mutating func lookup(_ token: String) -> SignedToken? {
        guard let slot = slotOfToken[token] else { return nil }
        makeNewest(slot)
        return slots[slot].signed
    }

    /// Keeps `signed` for `token`, dropping the least recently used token when full.
    public mutating func insert(_ token: String, _ signed: SignedToken) {
        if let slot = slotOfToken[token] {
            slots[slot].signed = signed
            return makeNewest(slot)
        }
        let slot: Int
        if slots.count < capacity {
            slot = slots.count
            slots.append(Slot(token: token, signed: signed))
        } else {
            guard let evicted = oldest else { preconditionFailure("a full token cache has an oldest slot") }
            unlink(evicted)
            slotOfToken[slots[evicted].token] = nil
            slots[evicted] = Slot(token: token, signed: signed)
            slot = evicted
        }
        slotOfToken[token] = slot
        linkAsNewest(slot)
    }

    private mutating func makeNewest(_ slot: Int) {
        guard newest != slot else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (slots[slot].newer, slots[slot].older)
        if let newer { slots[newer].older = older } else { newest = older }
        if let older { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = nil
        slots[slot].older = nil
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot].older = newest
        if let newest { slots[newest].newer = slot }
        newest = slot
        if oldest == nil { oldest = slot }
    }
}

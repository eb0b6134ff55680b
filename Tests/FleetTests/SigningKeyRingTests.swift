import Fleet
import Testing

/// The token-signing key ring: a rotation makes the new key the signer, the previous signer
/// verifies until the overlap ends, retired keys leave with the next rotation, and the ring
/// holds at most four keys.
struct SigningKeyRingTests {
    typealias F = AccessFixtures
    static let hour: UInt64 = 3_600_000

    static func retiring(_ key: SigningKeyRecord, at retiresAt: UInt64) -> SigningKeyRecord {
        var key = key
        key.retiresAtMilliseconds = retiresAt
        return key
    }

    @Test func theNewKeySignsAndThePreviousVerifiesUntilTheOverlapEnds() {
        var state = F.bootstrapped()
        let next = F.key(2, createdAt: 10_000)
        #expect(state.applyNext(.rotateSigningKey(next, overlapMilliseconds: Self.hour)) == .signingKeyRotated(idHex: next.idHex))
        #expect(state.signingKey == next)
        #expect(state.signingKeys == [next, Self.retiring(F.key(1, createdAt: 1_000), at: 10_000 + Self.hour)])
        #expect(state.verifyingKeys(atMilliseconds: 10_000 + Self.hour - 1).map(\.id) == [next.id, F.key(1, createdAt: 1_000).id])
        #expect(state.verifyingKeys(atMilliseconds: 10_000 + Self.hour) == [next], "retired at its time")
    }

    @Test func anOverlapOfZeroDropsThePreviousKeyAtOnce() {
        var state = F.bootstrapped()
        let next = F.key(2, createdAt: 10_000)
        state.applyNext(.rotateSigningKey(next, overlapMilliseconds: 0))
        #expect(state.signingKeys == [next])
    }

    @Test func retiredKeysAreDroppedWhenTheNextIsAdded() {
        var state = F.bootstrapped()
        state.applyNext(.rotateSigningKey(F.key(2, createdAt: 10_000), overlapMilliseconds: 1_000))
        state.applyNext(.rotateSigningKey(F.key(3, createdAt: 10_500), overlapMilliseconds: Self.hour))
        #expect(state.signingKeys.map(\.id.first) == [3, 2, 1], "key 1 retires at 11,000, after key 3 was made")
        state.applyNext(.rotateSigningKey(F.key(4, createdAt: 11_000), overlapMilliseconds: Self.hour))
        #expect(state.signingKeys.map(\.id.first) == [4, 3, 2], "key 1 retired at 11,000 and is dropped")
    }

    @Test func theRingKeepsTheNewestFour() {
        var state = F.bootstrapped()
        for seed in UInt8(2)...6 {
            state.applyNext(.rotateSigningKey(F.key(seed, createdAt: 1_000 + UInt64(seed)), overlapMilliseconds: 24 * Self.hour))
        }
        #expect(state.signingKeys.map(\.id.first) == [6, 5, 4, 3])
        #expect(state.signingKeys.dropFirst().allSatisfy { $0.retiresAtMilliseconds != nil })
        #expect(state.signingKeys.first?.retiresAtMilliseconds == nil)
    }

    @Test func theSignerNeverHasAnEndAndAnOverlapOnlyShortensARetirement() {
        var state = F.bootstrapped()
        var given = F.key(2, createdAt: 10_000)
        given.retiresAtMilliseconds = 5
        state.applyNext(.rotateSigningKey(given, overlapMilliseconds: Self.hour))
        #expect(state.signingKey?.retiresAtMilliseconds == nil)
        #expect(state.verifyingKeys(atMilliseconds: 20_000).count == 2)
    }

    @Test func aRetirementNearTheEndOfTimeSaturates() {
        var state = F.bootstrapped()
        state.applyNext(.rotateSigningKey(F.key(2, createdAt: .max - 10), overlapMilliseconds: Self.hour))
        #expect(state.signingKeys.last?.retiresAtMilliseconds == .max)
    }

    @Test func aLongOverlapAMalformedKeyOrAHeldIDIsRefused() {
        var state = F.bootstrapped()
        let before = state.signingKeys
        let limit = FleetState.signingKeyOverlapMaximumMilliseconds
        #expect(limit == 24 * Self.hour)
        #expect(state.applyNext(.rotateSigningKey(F.key(2, createdAt: 5), overlapMilliseconds: limit + 1))
            == .rejected(.invalidKeyOverlap(milliseconds: limit + 1)))
        let short = SigningKeyRecord(id: [1, 2, 3], secret: F.key(2, createdAt: 5).secret, createdAtMilliseconds: 5)
        #expect(state.applyNext(.rotateSigningKey(short, overlapMilliseconds: 0)) == .rejected(.malformedSigningKey))
        let noSecret = SigningKeyRecord(id: F.key(2, createdAt: 5).id, secret: [], createdAtMilliseconds: 5)
        #expect(state.applyNext(.rotateSigningKey(noSecret, overlapMilliseconds: 0)) == .rejected(.malformedSigningKey))
        let held = F.key(1, createdAt: 9_000)
        #expect(state.applyNext(.rotateSigningKey(held, overlapMilliseconds: 0)) == .rejected(.signingKeyExists(held.idHex)))
        #expect(state.signingKeys == before)
        #expect(state.applyNext(.rotateSigningKey(F.key(2, createdAt: 5), overlapMilliseconds: limit))
            == .signingKeyRotated(idHex: F.key(2, createdAt: 5).idHex), "24 h itself is allowed")
    }

    @Test func aKeysDescriptionAndItsOutcomeNeverShowTheSecret() {
        let key = SigningKeyRecord(id: Array(repeating: 0xAB, count: 8), secret: Array(repeating: 0xCD, count: 32),
                                   createdAtMilliseconds: 5)
        let texts = ["\(key)", String(reflecting: key), "\(FleetCommand.rotateSigningKey(key, overlapMilliseconds: 0))",
                     "\(FleetCommand.bootstrapAdmin(F.user("admin", .admin), signingKey: key))",
                     "\(FleetOutcome.signingKeyRotated(idHex: key.idHex))"]
        for text in texts {
            #expect(!text.lowercased().contains("cdcd") && !text.contains("205"), "\(text)")
        }
    }
}

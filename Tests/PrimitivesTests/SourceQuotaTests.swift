import Primitives
import Testing

/// The bounds on connections without a certificate: per source, in total, and a table that only
/// holds sources with something open.
@Suite struct SourceQuotaTests {
    private let limits = SourceQuota.Limits(totalMaximum: 6, perSourceMaximum: 2)

    @Test func oneSourceIsHeldToItsShare() {
        var quota = SourceQuota(limits: limits)
        #expect(quota.admit(source: "10.0.0.1") == .admitted)
        #expect(quota.admit(source: "10.0.0.1") == .admitted)
        #expect(quota.admit(source: "10.0.0.1") == .refusedSourceFull)
        #expect(quota.count(of: "10.0.0.1") == 2)
        #expect(quota.admit(source: "10.0.0.2") == .admitted)
        #expect(quota.count == 3)
    }

    @Test func manySourcesAreHeldToTheTotal() {
        var quota = SourceQuota(limits: limits)
        for index in 0..<6 { #expect(quota.admit(source: "10.0.0.\(index)") == .admitted) }
        #expect(quota.admit(source: "10.0.0.99") == .refusedTotalFull)
        #expect(quota.count == 6)
        #expect(quota.sourceCount == 6)
    }

    @Test func aSourceAtItsShareIsToldSoEvenWhenTheTotalIsFull() {
        var quota = SourceQuota(limits: limits)
        for index in 0..<3 {
            _ = quota.admit(source: "10.0.0.\(index)")
            _ = quota.admit(source: "10.0.0.\(index)")
        }
        #expect(quota.admit(source: "10.0.0.0") == .refusedSourceFull)
        #expect(quota.admit(source: "10.0.0.9") == .refusedTotalFull)
    }

    @Test func releasingGivesTheSlotBackAndForgetsEmptySources() {
        var quota = SourceQuota(limits: limits)
        _ = quota.admit(source: "a")
        _ = quota.admit(source: "a")
        quota.release(source: "a")
        #expect(quota.count(of: "a") == 1)
        #expect(quota.admit(source: "a") == .admitted)
        quota.release(source: "a")
        quota.release(source: "a")
        #expect(quota.count == 0)
        #expect(quota.sourceCount == 0)
        #expect(quota == SourceQuota(limits: limits))
    }

    /// Random admits and releases (seeded, replayable) never break the bounds, and the table never
    /// holds more sources than connections.
    @Test(arguments: [1, 2, 3, 42] as [UInt64])
    func randomTrafficKeepsTheBounds(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var quota = SourceQuota(limits: limits)
        var open: [String] = []
        for _ in 0..<2_000 {
            if !open.isEmpty, random.next() % 3 == 0 {
                let index = Int(random.next() % UInt64(open.count))
                quota.release(source: open.remove(at: index))
            } else {
                let source = "s\(random.next() % 5)"
                let before = quota.count(of: source)
                switch quota.admit(source: source) {
                case .admitted: open.append(source)
                case .refusedSourceFull: #expect(before == limits.perSourceMaximum)
                case .refusedTotalFull: #expect(quota.count == limits.totalMaximum)
                }
            }
            #expect(quota.count == open.count)
            #expect(quota.count <= limits.totalMaximum)
            #expect(quota.sourceCount <= quota.count)
            #expect(Set(open).allSatisfy { quota.count(of: $0) <= limits.perSourceMaximum })
        }
    }
}

@testable import Coordinator
import Testing

/// A user's password checks in flight are bounded by the failures left before the lock (at
/// least one), and an entry goes once its count is back to 0.
@Suite struct PasswordChecksInFlightTests {
    @Test func slotsAreTheFailuresLeftBeforeTheLockAndAtLeastOne() {
        #expect(PasswordChecksInFlight.slots(failedLogins: 0) == 5)
        #expect(PasswordChecksInFlight.slots(failedLogins: 4) == 1)
        #expect(PasswordChecksInFlight.slots(failedLogins: 5) == 1)
        #expect(PasswordChecksInFlight.slots(failedLogins: .max) == 1)
    }

    @Test func aUserHasNoMoreChecksThanItsSlots() {
        let table = PasswordChecksInFlight()
        #expect(table.take("ada", slots: 2))
        #expect(table.take("ada", slots: 2))
        #expect(!table.take("ada", slots: 2))
        #expect(table.take("bob", slots: 1))
        table.release("ada")
        #expect(table.take("ada", slots: 2))
        #expect(!table.take("ada", slots: 2))
    }

    @Test func theTableIsBoundedAndEntriesGoAtZero() {
        let table = PasswordChecksInFlight()
        for index in 0..<PasswordChecksInFlight.entriesMaximum { #expect(table.take("u\(index)", slots: 1)) }
        #expect(!table.take("one-more", slots: 5))
        table.release("u0")
        #expect(table.take("one-more", slots: 5))
    }
}

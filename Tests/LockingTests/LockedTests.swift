import Dispatch
import Locking
import Testing

struct LockedTests {
    @Test func concurrentIncrementsUnderTheLockAreAllCounted() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == 80_000)
    }

    @Test func withLockReturnsTheBodysResultAndRethrows() {
        struct Refusal: Error {}
        let locked = Locked([1, 2, 3])
        #expect(locked.withLock { $0.count } == 3)
        #expect(throws: Refusal.self) { try locked.withLock { _ in throw Refusal() } }
        #expect(locked.withLock { $0 } == [1, 2, 3])
    }
}

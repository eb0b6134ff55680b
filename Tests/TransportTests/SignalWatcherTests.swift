import Dispatch
import Glibc
import Locking
import Testing
import Transport

struct SignalWatcherTests {
    /// Something a handler holds, which records when it is freed.
    private final class Held: Sendable {
        let freed: Locked<Bool>
        init(_ freed: Locked<Bool>) { self.freed = freed }
        deinit { freed.withLock { $0 = true } }
        func touch() {}
    }

    @Test func aSignalSentAfterInitReachesItsHandlerAndCancelReturnsOnceTheHandlerIsReleased() {
        let freed = Locked(false)
        let called = DispatchSemaphore(value: 0)
        var held: Held? = Held(freed)
        let watcher = SignalWatcher([SIGUSR2: { [held] in held?.touch(); called.signal() }])
        held = nil
        kill(getpid(), SIGUSR2)
        #expect(called.wait(timeout: .now() + .seconds(10)) == .success, "a signal sent once init returned was lost")
        #expect(!freed.withLock { $0 })
        watcher.cancel()
        #expect(freed.withLock { $0 }, "the handler still held its capture after cancel returned")
    }
}

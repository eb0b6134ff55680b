@testable import Coordinator
import Dispatch
import Locking
import Testing
import Transport

/// `GET /api/v1/snapshot`'s admission and encoding thread: one save at a time (a second asked for
/// while one is under way is refused, so two callers cannot hold two copies of the fleet state),
/// its encoding off the loop with the answer on it, and a stop that waits for the running encoding.
@Suite struct SnapshotSavesTests {
    @Test func aSecondSaveIsRefusedWhileTheFirstIsEncodedAndAdmittedOnceItEnds() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let saves = SnapshotSaves()
        defer { saves.stop() }
        let (started, release, answered) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let answers = Locked<[String]>([])
        #expect(saves.begin())
        let queued = saves.run(on: loop, { () -> Int in
            #expect(!loop.inEventLoop, "the encoding runs on the saves' thread, not on a loop")
            started.signal()
            release.wait()
            return 7
        }, answer: { answer in
            #expect(loop.inEventLoop)
            if case let .done(value) = answer { answers.withLock { $0.append("done \(value)") } }
            saves.end()
            answered.signal()
        })
        #expect(queued)
        started.wait()
        #expect(!saves.begin(), "a second save while the first is being encoded")
        release.signal()
        answered.wait()
        #expect(answers.withLock { $0 } == ["done 7"])
        #expect(saves.begin(), "the next save once the first ended")
        saves.end()
    }

    @Test func aSaveRefusedBeforeItsEncodingEndsToo() {
        let saves = SnapshotSaves()
        defer { saves.stop() }
        #expect(saves.begin())
        #expect(!saves.begin())
        saves.end()
        #expect(saves.begin())
        saves.end()
    }

    @Test func stopWaitsForTheRunningEncodingThenRefusesEverySave() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let saves = SnapshotSaves()
        let (started, release, answered) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let finished = Locked(false)
        #expect(saves.begin())
        let queued = saves.run(on: loop, { () -> Int in
            started.signal()
            release.wait()
            finished.withLock { $0 = true }
            return 1
        }, answer: { _ in answered.signal() })
        #expect(queued)
        started.wait()
        let stopped = Locked(false)
        let stopper = NativeThread(name: "saves-stop") {
            saves.stop()
            stopped.withLock { $0 = true }
        }
        release.signal()
        stopper.join()
        #expect(finished.withLock { $0 }, "stop returned before the running encoding finished")
        #expect(stopped.withLock { $0 })
        answered.wait()
        saves.end()
        #expect(!saves.begin(), "no save begins once stopped")
    }
}

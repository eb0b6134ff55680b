import Dispatch
import Testing
@testable import Transport

@Suite struct TaskQuotaTests {
    /// Work handed to the loop outside the quota (API writes, agent inventory) never refuses a
    /// source's task, however much of it waits; a source past its bound is refused while the
    /// other sources are not; a refused task never runs, the others run in submission order,
    /// and a source whose tasks ran is taken again.
    @Test func onlyASourcesOwnWaitingTasksRefuseIt() {
        let embedded = EmbeddedEventLoop()
        let quota = TaskQuota<String>(loop: embedded.loop, maximumPerSource: 2)
        let ran = LockedList<String>()
        for index in 0..<10 { embedded.loop.execute { ran.append("other \(index)") } }
        let fromA = (0..<3).map { index in quota.tryExecute(from: "a") { ran.append("a \(index)") } }
        embedded.loop.execute { ran.append("other, after a") }
        let fromB = quota.tryExecute(from: "b") { ran.append("b 0") }
        #expect(fromA == [true, true, false], "the eleven other tasks waiting refused none of a's first two")
        #expect(fromB, "a at its bound refused b")
        #expect(quota.waitingCount(from: "a") == 2 && quota.waitingCount(from: "b") == 1)
        embedded.run()
        #expect(ran.elements == (0..<10).map { "other \($0)" } + ["a 0", "a 1", "other, after a", "b 0"], "a refused task never runs")
        #expect(quota.waitingCount(from: "a") == 0 && quota.waitingCount(from: "b") == 0)
        #expect(quota.tryExecute(from: "a") { ran.append("a again") })
        embedded.run()
        #expect(ran.elements.last == "a again")
    }

    /// Sources submitting from many threads at once to a running loop: every admitted task runs
    /// once on the loop, and each source's count returns to zero.
    @Test func concurrentSourcesAreCountedApartAndReleasedAsTheirTasksRun() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let quota = TaskQuota<Int>(loop: loop, maximumPerSource: 1_000_000)
        let ran = LockedList<Int>()
        let refused = LockedList<Int>()
        let sources = 4
        let tasksPerSource = 1_000
        DispatchQueue.concurrentPerform(iterations: sources) { source in
            for _ in 0..<tasksPerSource {
                if !quota.tryExecute(from: source, { ran.append(loop.inEventLoop ? source : -1) }) { refused.append(source) }
            }
        }
        loop.runAndWait {}
        #expect(refused.count == 0)
        #expect(ran.count == sources * tasksPerSource)
        #expect(!ran.elements.contains(-1), "a task ran off the loop")
        #expect((0..<sources).allSatisfy { quota.waitingCount(from: $0) == 0 })
    }
}

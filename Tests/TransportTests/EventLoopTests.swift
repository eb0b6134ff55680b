import Dispatch
import Glibc
import Primitives
import Testing
import TestSupport
@testable import Transport

@Suite struct EventLoopTests {
    private struct Ran: Sendable {
        let submitter: Int
        let sequence: Int
        let onLoop: Bool
    }

    @Test func executeRunsTasksFromManyThreadsInEachSubmittersOrderOnTheLoopThread() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let ran = LockedList<Ran>()
        let submitters = 4
        let tasksPerSubmitter = 2_000
        DispatchQueue.concurrentPerform(iterations: submitters) { submitter in
            for sequence in 0..<tasksPerSubmitter {
                loop.execute { ran.append(Ran(submitter: submitter, sequence: sequence, onLoop: loop.inEventLoop)) }
            }
        }
        loop.runAndWait {}
        let all = ran.elements
        #expect(all.count == submitters * tasksPerSubmitter)
        #expect(all.allSatisfy { $0.onLoop })
        for submitter in 0..<submitters {
            let order = all.filter { $0.submitter == submitter }.map(\.sequence)
            #expect(order == Array(0..<tasksPerSubmitter), "submitter \(submitter) ran out of order")
        }
        #expect(!loop.inEventLoop)
    }

    @Test func aTaskSubmittedFromATaskRunsAfterItNotInsideIt() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let steps = LockedList<String>()
        loop.runAndWait {
            loop.execute { steps.append("inner") }
            steps.append("outer done")
        }
        #expect(eventually { steps.count == 2 })
        #expect(steps.elements == ["outer done", "inner"])
    }

    @Test func timersFireInDeadlineOrderNotBeforeTheirDeadlineAndCancelledOnesNever() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        struct Firing: Sendable { let label: Int; let notEarly: Bool; let onLoop: Bool }
        let fired = LockedList<Firing>()
        loop.runAndWait {
            let start = MonotonicInstant.now()
            var ids: [Int: TimerID] = [:]
            for milliseconds in [50, 10, 30, 20, 40, 45] {
                let deadline = start.advanced(by: .milliseconds(milliseconds))
                ids[milliseconds] = loop.scheduleTimer(at: deadline) {
                    fired.append(Firing(label: milliseconds, notEarly: MonotonicInstant.now() >= deadline,
                                        onLoop: loop.inEventLoop))
                }
            }
            loop.cancelTimer(ids[30]!)
            loop.cancelTimer(ids[45]!)
        }
        #expect(eventually { fired.elements.contains { $0.label == 50 } })
        let firings = fired.elements
        #expect(firings.map(\.label) == [10, 20, 40, 50])
        #expect(firings.allSatisfy { $0.notEarly })
        #expect(firings.allSatisfy { $0.onLoop })
    }

    @Test func aTimerCancelledByAnEarlierTimerDoesNotFire() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = LockedList<String>()
        loop.runAndWait {
            let start = MonotonicInstant.now()
            let doomed = loop.scheduleTimer(at: start.advanced(by: .milliseconds(40))) { fired.append("doomed") }
            loop.scheduleTimer(at: start.advanced(by: .milliseconds(10))) {
                fired.append("canceller")
                loop.cancelTimer(doomed)
            }
            loop.scheduleTimer(at: start.advanced(by: .milliseconds(80))) { fired.append("last") }
        }
        #expect(eventually { fired.elements.contains("last") })
        #expect(fired.elements == ["canceller", "last"])
    }

    /// Both timers are due by the time the loop next looks (it is kept busy
    /// past both deadlines), so they come due in the same tick; the first one's
    /// cancellation of the second must still hold.
    @Test func aTimerCancelledByAnEarlierTimerDueInTheSameTickDoesNotFire() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let fired = LockedList<String>()
        loop.runAndWait {
            let start = MonotonicInstant.now()
            let doomed = loop.scheduleTimer(at: start.advanced(by: .milliseconds(2))) { fired.append("doomed") }
            loop.scheduleTimer(at: start.advanced(by: .milliseconds(1))) {
                fired.append("canceller")
                loop.cancelTimer(doomed)
            }
            loop.scheduleTimer(at: start.advanced(by: .milliseconds(3))) { fired.append("last") }
            usleep(20_000)
        }
        #expect(eventually { fired.elements.contains("last") })
        #expect(fired.elements == ["canceller", "last"])
    }

    @Test func runAndWaitReturnsTheValueComputedOnThatLoop() throws {
        let group = try EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let (first, second) = (group.loops[0], group.loops[1])
        let answer = first.runAndWait { (first.inEventLoop, second.inEventLoop, first.index * 10 + 7) }
        #expect(answer.0)
        #expect(!answer.1)
        #expect(answer.2 == 7)
        #expect(second.runAndWait { second.index } == 1)
        let text = second.runAndWait { String(repeating: "x", count: 3) }
        #expect(text == "xxx")
    }

    @Test func nextHandsOutEveryLoopInTurn() throws {
        let group = try EventLoopGroup(loopCount: 2)
        defer { group.shutdown() }
        let picked = (0..<4).map { _ in group.next().index }
        #expect(picked.sorted() == [0, 0, 1, 1])
        #expect(picked[0] != picked[1])
    }

    @Test func shutdownRunsTasksAlreadyRunningAndJoinsEveryLoopThread() throws {
        let group = try EventLoopGroup(loopCount: 2)
        let threadIDs = group.loops.map { loop in loop.runAndWait { currentThreadID() } }
        #expect(threadIDs.allSatisfy { threadExists($0) })
        let finished = LockedList<Int>()
        for loop in group.loops {
            loop.runAndWait {
                loop.execute {
                    usleep(20_000)
                    finished.append(loop.index)
                }
            }
        }
        group.shutdown()
        #expect(finished.elements.sorted() == [0, 1])
        // A joined thread's /proc entry goes a moment after the join returns (the kernel clears
        // the id the join waits on before it releases the task), so wait for it.
        #expect(eventually { threadIDs.allSatisfy { !threadExists($0) } })
    }

    /// The stop request and the last submitted tasks can be taken in the same
    /// batch (here forced by holding the loop busy while both arrive). The loop
    /// must still stop, not go back to waiting for a wake-up that never comes.
    @Test func loopStopsWhenTheStopRequestArrivesTogetherWithTasks() throws {
        let group = try EventLoopGroup(loopCount: 1)
        let loop = group.loops[0]
        let loopThread = loop.runAndWait { currentThreadID() }
        let entered = DispatchSemaphore(value: 0)
        let gate = DispatchSemaphore(value: 0)
        let ran = LockedList<String>()
        loop.execute {
            entered.signal()
            gate.wait()
        }
        entered.wait()
        loop.execute { ran.append("last task") }
        loop.requestStop()
        gate.signal()
        let stopped = eventually(timeout: .seconds(5)) { !threadExists(loopThread) }
        #expect(ran.elements == ["last task"])
        #expect(stopped, "the loop ran its last batch and then blocked in epoll_wait despite the stop request")
        group.shutdown()
    }

    /// `group.shutdown()` while the loop is busy and a task is queued behind
    /// the busy one must return. Runs on a helper thread with a bounded wait,
    /// so a hang fails the test instead of the run; a second stop request then
    /// releases the loop.
    @Test func groupShutdownReturnsWhenTasksAreQueuedBehindABusyLoop() throws {
        var hung = 0
        let attempts = 3
        for _ in 0..<attempts {
            let group = try EventLoopGroup(loopCount: 1)
            let loop = group.loops[0]
            let done = DispatchSemaphore(value: 0)
            let entered = DispatchSemaphore(value: 0)
            loop.execute {
                entered.signal()
                usleep(200_000)
            }
            entered.wait()
            loop.execute {}
            Background.run {
                group.shutdown()
                done.signal()
            }
            if done.wait(timeout: .now() + .seconds(2)) == .timedOut {
                hung += 1
                loop.requestStop()
                done.wait()
            }
        }
        #expect(hung == 0, "group.shutdown() hung in \(hung) of \(attempts) attempts")
    }
}

/// Work on another thread, for calls that must not block the test's thread.
private enum Background {
    static func run(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue.global().async(execute: body)
    }
}

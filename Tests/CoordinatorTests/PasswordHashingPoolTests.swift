@testable import Coordinator
import Dispatch
import Foundation
import Locking
import Observability
import Testing
import Transport

/// The hashing pool is bounded (a full queue refuses at once), answers on the submitter's loop,
/// and at stop answers every queued job `.stopping` while the running ones finish.
@Suite struct PasswordHashingPoolTests {
    /// A job that blocks its worker until released, and says when it started.
    final class Gate: Sendable {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)

        func job() -> @Sendable () -> Int {
            { [self] in
                started.signal()
                release.wait()
                return 1
            }
        }
    }

    @Test func aFullQueueRefusesAtOnceAndStopAnswersTheQueuedJobs() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let metrics = MetricsRegistry()
        let pool = PasswordHashingPool(metrics: metrics, logger: Self.logger, workerCount: 1, queueMaximum: 2)
        let gate = Gate()
        let answers = Locked<[String]>([])
        let answered = DispatchSemaphore(value: 0)
        let record: @Sendable (String) -> @Sendable (PasswordHashingPool.Answer<Int>) -> Void = { name in
            { answer in
                #expect(loop.inEventLoop)
                switch answer {
                case let .done(value): answers.withLock { $0.append("\(name)=\(value)") }
                case .stopping: answers.withLock { $0.append("\(name) stopping") }
                }
                answered.signal()
            }
        }
        let submit = { (value: Int, name: String) -> Bool in pool.submit(on: loop, { value }, answer: record(name)) }
        let running = pool.submit(on: loop, gate.job(), answer: record("running"))
        #expect(running)
        gate.started.wait()
        let (first, second, third) = (submit(2, "queued-1"), submit(3, "queued-2"), submit(4, "refused"))
        #expect(first && second && !third)
        #expect(metrics.exposition().contains("hotswap_password_hashes_refused_total 1"))
        #expect(metrics.exposition().contains("hotswap_password_hash_queue_depth 2"))

        let stopped = DispatchSemaphore(value: 0)
        let stopper = NativeThread(name: "pool-stop") {
            pool.stop()
            stopped.signal()
        }
        // The queued jobs are answered while the running one still holds its worker.
        answered.wait()
        answered.wait()
        #expect(Set(answers.withLock { $0 }) == ["queued-1 stopping", "queued-2 stopping"])
        gate.release.signal()
        stopped.wait()
        stopper.join()
        answered.wait()
        #expect(answers.withLock { $0 }.last == "running=1")
        let afterStop = submit(5, "after stop")
        #expect(!afterStop)
        #expect(metrics.exposition().contains("hotswap_password_hashes_total 1"))
    }

    @Test func jobsRunOnTheWorkersAndAnswerOnTheLoop() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let pool = PasswordHashingPool(metrics: MetricsRegistry(), logger: Self.logger)
        defer { pool.stop() }
        let answered = DispatchSemaphore(value: 0)
        let sum = Locked(0)
        // As many as may wait for one thread, so none is refused however slowly the threads start.
        for value in 1...PasswordHashingPool.queuePerWorker {
            let accepted = pool.submit(on: loop, {
                #expect(!loop.inEventLoop)
                return value
            }, answer: { answer in
                if case let .done(result) = answer { sum.withLock { $0 += result } }
                answered.signal()
            })
            #expect(accepted)
        }
        for _ in 1...PasswordHashingPool.queuePerWorker { answered.wait() }
        #expect(sum.withLock { $0 } == 36)
    }

    /// The hashing threads run `niceSteps` nice levels below the thread that made the pool (as
    /// the event loops run), so reads win the CPU from logins; one thread on two CPUs or fewer.
    @Test func workersRunAtALowerPriorityAndOneOnTwoCPUs() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let (sink, capture) = LogSink.capturing()
        let pool = PasswordHashingPool(metrics: MetricsRegistry(), logger: Logger(component: "test", sink: sink), workerCount: 2)
        defer { pool.stop() }
        let answered = DispatchSemaphore(value: 0)
        let nices = Locked<[Int]>([])
        for _ in 1...4 {
            let accepted = pool.submit(on: loop, { Result { try Self.threadNice() } }, answer: { answer in
                if case let .done(.success(nice)) = answer { nices.withLock { $0.append(nice) } }
                answered.signal()
            })
            #expect(accepted)
        }
        for _ in 1...4 { answered.wait() }
        let expected = min(19, try Self.threadNice() + Int(PasswordHashingPool.niceSteps))
        #expect(nices.withLock { $0 } == [expected, expected, expected, expected])
        #expect(capture.lines.isEmpty)
        #expect(pool.queueMaximum == 2 * PasswordHashingPool.queuePerWorker)
        #expect([1, 2].map(PasswordHashingPool.workerCount(onlineCPUs:)) == [1, 1])
        #expect([3, 4, 64].map(PasswordHashingPool.workerCount(onlineCPUs:)) == [2, 2, 2])
    }

    static let logger = Logger(component: "test", sink: LogSink.capturing().0)

    /// The calling thread's nice, field 19 of /proc/thread-self/stat (after the command's parentheses).
    static func threadNice() throws -> Int {
        let stat = try String(contentsOfFile: "/proc/thread-self/stat", encoding: .utf8)
        let fields = stat[(stat.lastIndex(of: ")").map { stat.index(after: $0) } ?? stat.endIndex)...].split(separator: " ")
        return fields.count > 16 ? Int(fields[16]) ?? -100 : -100
    }
}

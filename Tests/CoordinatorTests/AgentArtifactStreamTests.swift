@testable import Coordinator
import Dispatch
import Glibc
import Locking
import ModuleArchive
import Observability
import Primitives
import Storage
import Telemetry
import Testing
import TestSupport
import Transport
import Wire

/// Serving an artifact to an agent on an embedded loop, with a real store and the uploads' real
/// disk thread (`AgentArtifactBench`): an offset no file offset can name refused before anything
/// runs, a resume of a known sound artifact read only from its offset, a transfer's place held
/// until its disk job answered, pacing under the low-water mark, and the rate floor.
@Suite struct AgentArtifactStreamTests {
    typealias Bench = AgentArtifactBench

    @Test(arguments: [UInt64(Int64.max) + 1, UInt64.max])
    func anOffsetOverInt64MaxIsRefusedBeforeAnyPass(offset: UInt64) throws {
        let bench = try Bench(bytes: 1_000)
        defer { bench.stop() }
        let request = ArtifactRequest(sha256: bench.artifact.digest.bytes, offset: offset)
        #expect(ArtifactChecks.start(of: request) == nil)
        #expect(bench.checks.refusal(of: request, recordedBytes: UInt64.max) == .badOffset, "a record naming any size")
        #expect(bench.checks.refusal(of: request, recordedBytes: 1_000) == .badOffset)
        let agent = bench.connect()
        agent.holder.stream = bench.server.serve(request, node: "node-1", on: agent.channel, current: nil, transferID: 1)
        #expect(agent.holder.stream == nil && bench.server.activeCount == 0)
        #expect(try agent.refusals().map(\.reason) == [.badOffset])
    }

    @Test func offsetsPastTheRecordedSizeAreRefusedAndTheEndIsServed() throws {
        let bench = try Bench(bytes: 1_000)
        defer { bench.stop() }
        let sha256 = bench.artifact.digest.bytes
        #expect(bench.checks.refusal(of: ArtifactRequest(sha256: sha256, offset: 1_001), recordedBytes: 1_000) == .badOffset)
        #expect(bench.checks.refusal(of: ArtifactRequest(sha256: sha256, offset: 1_000), recordedBytes: 1_000) == nil)
        #expect(bench.checks.refusal(of: ArtifactRequest(sha256: sha256, offset: 0), recordedBytes: nil) == .notHeld)
    }

    /// Once a pass found the artifact sound, a resume computes the CRC-32C of its range only: a byte
    /// damaged before the offset goes unnoticed (the whole file is not hashed again), one after it
    /// changes the checksum. Without a known result the same damage is found corrupt.
    @Test func aResumeOfAKnownSoundArtifactReadsOnlyItsRange() throws {
        let bench = try Bench(bytes: 3 * ModuleStoreLimits().readPieceBytesMaximum + 77)
        defer { bench.stop() }
        let whole = try bench.prepared(from: 0)
        guard case let .ready(_, checksum) = whole else { Issue.record("not ready: \(whole)"); return }
        #expect(checksum == CRC32C.checksum(bench.data))
        bench.damage(at: 10)
        let resumed = try bench.prepared(from: 2_000_000)
        guard case let .ready(_, fromOffset) = resumed else { Issue.record("not ready: \(resumed)"); return }
        #expect(fromOffset == CRC32C.checksum(Array(bench.data[2_000_000...])))
        let fresh = try Bench(bytes: 2_000)
        defer { fresh.stop() }
        fresh.damage(at: 10)
        guard case .refused(.unreadable) = try fresh.prepared(from: 100) else { Issue.record("a damaged copy was served"); return }
    }

    @Test func aCancelledPassEndsAsStopping() throws {
        let bench = try Bench(bytes: 1_000)
        defer { bench.stop() }
        let answer = Locked<ArtifactChecks.Prepared??>(nil)
        let queued = bench.checks.prepare(bench.artifact.digest, from: 0, on: bench.embedded.loop, isCancelled: { true }) { prepared in
            answer.withLock { $0 = .some(prepared) }
        }
        #expect(queued)
        #expect(bench.runUntil { answer.withLock { $0 } != nil })
        guard case .stopping?? = answer.withLock({ $0 }) else { Issue.record("\(String(describing: answer.withLock { $0 }))"); return }
    }

    /// An agent that asks and goes while its pass waits on the disk thread keeps its place until
    /// that pass answered: a connect-ask-close loop cannot stack passes on the disk queue.
    @Test func aClosedConnectionFreesItsPlaceOnlyOnceItsJobAnswered() throws {
        let bench = try Bench(bytes: 1_000)
        defer { bench.stop() }
        let gate = DispatchSemaphore(value: 0)
        let blocked = bench.uploads.run(on: bench.embedded.loop, { gate.wait() }, answer: { _ in })
        #expect(blocked, "the disk thread waits on the gate")
        let agent = bench.connect()
        agent.holder.stream = bench.server.serve(ArtifactRequest(sha256: bench.artifact.digest.bytes, offset: 0), node: "node-1",
                                                 on: agent.channel, current: nil, transferID: 1)
        #expect(bench.server.activeCount == 1)
        agent.connection.peerClosed()
        bench.embedded.run()
        #expect(agent.holder.stream?.isDone == true)
        #expect(bench.server.activeCount == 1, "the pass is still queued: its place is held")
        gate.signal()
        #expect(bench.runUntil { bench.server.activeCount == 0 })
        #expect(agent.connection.takeWritten().isEmpty, "nothing is sent on a closed connection")
    }

    /// Chunks go out only while less than the low-water mark waits, so the queue never reaches the
    /// high-water mark at which reading the agent pauses; as the agent takes bytes the stream looks
    /// again on its own (no writable callback comes) and the whole transfer arrives.
    @Test func aTransferPacesUnderTheLowWaterMarkAndFinishes() throws {
        let bench = try Bench(bytes: 2_000_000)
        defer { bench.stop() }
        let agent = bench.connect()
        agent.holder.stream = bench.server.serve(ArtifactRequest(sha256: bench.artifact.digest.bytes, offset: 0), node: "node-1",
                                                 on: agent.channel, current: nil, transferID: 1)
        var received: [UInt8] = [], highest = 0
        let done = bench.runUntil {
            highest = max(highest, agent.connection.queuedOutboundBytes)
            received += agent.connection.takeWritten(maximumBytes: 48 << 10)
            bench.embedded.advanceTime(by: AgentArtifactStreamPace.retryLast)
            return agent.holder.stream?.isDone == true && agent.connection.queuedOutboundBytes == 0
        }
        #expect(done)
        received += agent.connection.takeWritten()
        #expect(highest > 0 && highest < agent.connection.limits.writeQueueHighWaterBytes, "the queue reached the high-water mark")
        #expect(try AgentArtifactBench.transferBytes(in: received) == bench.data)
        #expect(bench.server.activeCount == 0 && !agent.connection.isClosed)
    }

    /// An agent that stops reading loses its transfer (and its connection) once the transfer
    /// averages under the floor after its grace; its place is freed.
    @Test func aStalledAgentFallsUnderTheFloorAndIsClosed() throws {
        let bench = try Bench(bytes: 2_000_000)
        defer { bench.stop() }
        let agent = bench.connect()
        agent.holder.stream = bench.server.serve(ArtifactRequest(sha256: bench.artifact.digest.bytes, offset: 0), node: "node-1",
                                                 on: agent.channel, current: nil, transferID: 1)
        #expect(bench.runUntil { agent.connection.queuedOutboundBytes > 0 })
        bench.embedded.advanceTime(by: AgentArtifactStreamPace.grace)
        #expect(!agent.connection.isClosed, "within its grace")
        #expect(bench.runUntil {
            bench.embedded.advanceTime(by: .seconds(1))
            return agent.connection.isClosed && bench.server.activeCount == 0
        })
    }

    @Test func thePaceDoublesItsWaitAndKeepsAFloorAfterItsGrace() {
        let begun = MonotonicInstant(nanoseconds: 1_000_000_000)
        var pace = AgentArtifactStreamPace(begun: begun)
        #expect(AgentArtifactStreamPace.maySend(queuedBytes: 0, lowWater: 64 << 10))
        #expect(!AgentArtifactStreamPace.maySend(queuedBytes: 64 << 10, lowWater: 64 << 10))
        for _ in 0..<10 { pace.waited() }
        #expect(pace.retry == AgentArtifactStreamPace.retryLast)
        pace.sent(100)
        #expect(pace.retry == AgentArtifactStreamPace.retryFirst && pace.bytesSent == 100)
        let afterGrace = begun.advanced(by: AgentArtifactStreamPace.grace)
        #expect(!pace.isTooSlow(at: afterGrace))
        #expect(pace.isTooSlow(at: afterGrace.advanced(by: .seconds(1))))
        pace.sent(Int(AgentArtifactStreamPace.minimumBytesPerSecond) * 2)
        #expect(!pace.isTooSlow(at: afterGrace.advanced(by: .seconds(2))))
        #expect(pace.isTooSlow(at: afterGrace.advanced(by: .seconds(3))))
    }

    @Test func refusalsAreLoggedWithinABudgetThatSaysHowManyWentUnlogged() {
        let budget = RefusalLogBudget()
        let start = MonotonicInstant(nanoseconds: 5_000_000_000)
        for _ in 0..<RefusalLogBudget.linesPerSecondMaximum { #expect(budget.take(at: start) == 0) }
        #expect(budget.take(at: start) == nil)
        #expect(budget.take(at: start.advanced(by: .milliseconds(999))) == nil)
        #expect(budget.take(at: start.advanced(by: .seconds(1))) == 2)
        #expect(budget.take(at: start.advanced(by: .seconds(1))) == 0)
    }
}

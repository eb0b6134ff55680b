import Gateway
import HostInstall
import Primitives
import Telemetry
import Testing

/// The leader's module orders as a pure table: what is sent (fresh command ids and increasing
/// sequences, the same operation, across terms too), what a result does (a definitive one of the
/// order's operation ends the order once, even answering an earlier command; `accepted: false`,
/// `interrupted` and another operation's result are sent again after a bounded backoff, up to the
/// attempts; `busy` and welcome resends are bounded by the lifetime alone), resends after a
/// welcome, abandonment, one order per node and module, the bounds, and forgetting everything on a
/// new term.
@Suite struct ModuleOrderBookTests {
    static func at(_ seconds: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: 0).advanced(by: .seconds(seconds)) }

    static func install(_ node: String = "node-1", module: String = "web", version: String = "2.0.0",
                        deployment: String = "manual.t7.1") -> ModuleOrderBook.Request {
        ModuleOrderBook.Request(node: node, module: module,
                                operation: OperationID(deploymentID: deployment, wave: 0, kind: .install(version: version)),
                                strategy: .blueGreen, artifact: OrderedArtifact(sha256: [UInt8](repeating: 9, count: 32), size: 100))
    }

    /// The commands `actions` send, in order.
    static func sent(_ actions: [ModuleOrderBook.Action]) -> [(node: String, command: AgentCommand, order: ModuleOrder)] {
        actions.compactMap { action in
            guard case let .send(node, command) = action, case let .module(order) = command.action else { return nil }
            return (node, command, order)
        }
    }

    static func finished(_ actions: [ModuleOrderBook.Action]) -> [ModuleOrderBook.Finished] {
        actions.compactMap { action in
            guard case let .finished(finished) = action else { return nil }
            return finished
        }
    }

    static func result(_ command: UInt64, _ outcome: InstallResult.Outcome, of request: ModuleOrderBook.Request) -> AgentCommandResult {
        // An agent answers every install result accepted, a refusal too (PROTOCOL.md, "Module orders").
        AgentCommandResult(commandID: command, accepted: true, detail: "",
                           install: InstallResult(operation: request.operation, outcome: outcome,
                                                  active: ActiveVersion(version: "2.0.0", port: 8080)))
    }

    @Test func anOrderIsSentWithTheTermAndAnsweredOnce() throws {
        var book = ModuleOrderBook(term: 7)
        let request = Self.install()
        let (handle, actions) = try book.place(request, now: Self.at(0)).get()
        let sent = try #require(Self.sent(actions).first)
        #expect(sent.node == "node-1" && sent.command.leaderTerm == 7 && sent.order.command.term == 7)
        #expect(sent.order.command.operation == request.operation && sent.order.artifact == request.artifact)
        #expect(sent.order.command.strategy == .blueGreen && sent.order.module == "web")
        #expect(book.awaits(commandID: sent.command.commandID, from: "node-1"))
        #expect(!book.awaits(commandID: sent.command.commandID, from: "node-2"))

        let answer = Self.result(sent.command.commandID, .installed, of: request)
        #expect(book.receive(answer, from: "node-2", now: Self.at(1)) == .ignored, "another node's result is ignored")
        let ended = Self.finished(book.receive(answer, from: "node-1", now: Self.at(1)).actions)
        let install = try #require(answer.install)
        #expect(ended.count == 1 && ended.first?.handle == handle && ended.first?.ending == .answered(install))
        #expect(book.receive(answer, from: "node-1", now: Self.at(2)) == .ignored, "the same result again changes nothing")
        #expect(book.openCount == 0 && book.results(of: "node-1").map(\.handle) == [handle])
    }

    @Test func sequencesIncreasePerNodeAndModuleAndCommandIDsAreFresh() throws {
        var book = ModuleOrderBook(term: 3)
        var sequences: [String: [UInt64]] = [:], ids: Set<UInt64> = []
        for (node, module) in [("a", "web"), ("b", "web"), ("a", "api")] {
            let request = Self.install(node, module: module)
            for action in Self.sent(try book.place(request, now: Self.at(0)).get().1) {
                sequences["\(node)/\(module)", default: []].append(action.order.command.sequence)
                ids.insert(action.command.commandID)
            }
        }
        for _ in 1...2 {
            for action in Self.sent(book.welcomed(node: "a")) {
                sequences["a/\(action.order.module)", default: []].append(action.order.command.sequence)
                #expect(ids.insert(action.command.commandID).inserted, "a resend is a new command")
            }
        }
        #expect(sequences["a/web"]?.count == 3 && sequences["a/api"]?.count == 3 && sequences["b/web"]?.count == 1)
        for list in sequences.values { #expect(list == list.sorted() && Set(list).count == list.count, "\(list)") }
    }

    @Test(arguments: [InstallResult.Outcome.busy, .interrupted])
    func aRetryableAnswerIsSentAgainAfterTheBackoff(outcome: InstallResult.Outcome) throws {
        var book = ModuleOrderBook(term: 1)
        let request = Self.install()
        let first = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first)
        let answered = book.receive(Self.result(first.command.commandID, outcome, of: request), from: "node-1", now: Self.at(10))
        #expect(answered.awaited && answered.actions.isEmpty)
        #expect(book.tick(now: Self.at(10).advanced(by: .milliseconds(999))).isEmpty, "not before the backoff")
        let again = try #require(Self.sent(book.tick(now: Self.at(11))).first)
        #expect(again.order.command.operation == request.operation && again.command.commandID != first.command.commandID)
        #expect(again.order.command.sequence > first.order.command.sequence)
    }

    @Test func aResultNotTakenIsRetriedWithADoublingBoundedBackoffUpToTheAttempts() throws {
        var limits = ModuleOrderBook.Limits()
        limits.attemptsMaximum = 4
        limits.backoffMaximum = .seconds(3)
        var book = ModuleOrderBook(term: 1, limits: limits)
        let waits: [Duration] = [.seconds(1), .seconds(2), .seconds(3), .seconds(3), .seconds(3)]
        #expect([1, 2, 3, 4, 5].map { book.backoff(afterAttempts: $0) } == waits)
        let request = Self.install()
        var command = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first).command
        var now = Self.at(0)
        for attempt in 1...3 {
            let refused = AgentCommandResult(commandID: command.commandID, accepted: false, detail: "order queue full")
            #expect(book.receive(refused, from: "node-1", now: now).actions.isEmpty)
            now = now.advanced(by: book.backoff(afterAttempts: attempt))
            command = try #require(Self.sent(book.tick(now: now)).first, "attempt \(attempt + 1)").command
        }
        let last = AgentCommandResult(commandID: command.commandID, accepted: false, detail: "order queue full")
        let ended = try #require(Self.finished(book.receive(last, from: "node-1", now: now).actions).first)
        guard case let .abandoned(reason, _) = ended.ending else { throw ScriptFailure("ended \(ended.ending)") }
        #expect(ended.attempts == 4 && reason.contains("not taken 4 times") && reason.contains("order queue full"), "\(reason)")
        #expect(book.openCount == 0)
    }

    @Test func anUnansweredOrderIsResentAfterAWelcomeOnlyToItsNode() throws {
        var book = ModuleOrderBook(term: 2)
        let one = Self.install("node-1"), two = Self.install("node-2")
        let sentOne = try #require(Self.sent(try book.place(one, now: Self.at(0)).get().1).first)
        _ = try book.place(two, now: Self.at(0)).get()
        let resent = Self.sent(book.welcomed(node: "node-1"))
        #expect(resent.map(\.node) == ["node-1"] && resent.first?.order.command.operation == one.operation)
        let old = Self.result(sentOne.command.commandID, .busy, of: one)
        #expect(book.receive(old, from: "node-1", now: Self.at(6)) == .ignored, "the replaced command's busy is not awaited")
        let answer = Self.result(try #require(resent.first).command.commandID, .failed, of: one)
        #expect(Self.finished(book.receive(answer, from: "node-1", now: Self.at(6)).actions).count == 1)
        #expect(book.welcomed(node: "node-1").isEmpty, "nothing left to resend")
    }

    @Test func aDefinitiveAnswerToAnEarlierCommandOfTheOperationEndsTheOrder() throws {
        var book = ModuleOrderBook(term: 2)
        let request = Self.install("node-1")
        let first = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first)
        _ = book.welcomed(node: "node-1")
        let other = Self.install("node-1", deployment: "manual.t2.9")
        let stranger = Self.result(first.command.commandID, .installed, of: other)
        #expect(book.receive(stranger, from: "node-1", now: Self.at(1)) == .ignored, "another operation's answer to an old command")
        #expect(book.receive(Self.result(first.command.commandID, .installed, of: request), from: "node-2", now: Self.at(1)) == .ignored)
        let answered = book.receive(Self.result(first.command.commandID, .installed, of: request), from: "node-1", now: Self.at(1))
        let ended = try #require(Self.finished(answered.actions).first)
        #expect(answered.awaited && ended.request == request && ended.attempts == 2)
        #expect(book.openCount == 0)
    }

    @Test func aResultNamingAnotherOperationIsTakenAsNothingRun() throws {
        var limits = ModuleOrderBook.Limits()
        limits.attemptsMaximum = 2
        var book = ModuleOrderBook(term: 1, limits: limits)
        let request = Self.install()
        let first = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first)
        let other = Self.install(deployment: "manual.t1.5")
        let answered = book.receive(Self.result(first.command.commandID, .installed, of: other), from: "node-1", now: Self.at(1))
        #expect(answered.awaited && answered.actions.isEmpty && answered.mismatch?.contains("manual.t1.5") == true, "\(answered)")
        #expect(book.openCount == 1 && !book.awaits(commandID: first.command.commandID, from: "node-1"))
        let again = try #require(Self.sent(book.tick(now: Self.at(2))).first, "sent again after the backoff")
        let second = book.receive(Self.result(again.command.commandID, .installed, of: other), from: "node-1", now: Self.at(3))
        let ended = try #require(Self.finished(second.actions).first, "counted against the attempts")
        guard case .abandoned = ended.ending else { throw ScriptFailure("ended \(ended.ending)") }
    }

    @Test func busyAnswersAndWelcomeResendsAreBoundedByTheLifetimeOnly() throws {
        var limits = ModuleOrderBook.Limits()
        limits.attemptsMaximum = 2
        limits.lifetime = .seconds(600)
        var book = ModuleOrderBook(term: 1, limits: limits)
        let request = Self.install()
        var command = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first).command
        var now = Self.at(0)
        for round in 0..<8 {
            if round.isMultiple(of: 2) {
                #expect(book.receive(Self.result(command.commandID, .busy, of: request), from: "node-1", now: now).actions.isEmpty)
                now = now.advanced(by: book.backoff(afterAttempts: round + 1))
                command = try #require(Self.sent(book.tick(now: now)).first, "round \(round)").command
            } else {
                command = try #require(Self.sent(book.welcomed(node: "node-1")).first, "round \(round)").command
            }
        }
        #expect(book.openOrder(node: "node-1", module: "web")?.attempts == 9 && book.openCount == 1)
        let ended = try #require(Self.finished(book.tick(now: Self.at(600))).first)
        guard case let .abandoned(reason, last) = ended.ending else { throw ScriptFailure("ended \(ended.ending)") }
        #expect(reason.contains("lifetime") && last?.outcome == .busy, "\(reason)")
    }

    @Test func aWelcomeDuringABackoffSendsAtOnceAndEndsTheBackoff() throws {
        var book = ModuleOrderBook(term: 1)
        let request = Self.install()
        let first = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first)
        let refused = AgentCommandResult(commandID: first.command.commandID, accepted: false, detail: "agent stopping")
        #expect(book.receive(refused, from: "node-1", now: Self.at(0)).actions.isEmpty)
        let resent = try #require(Self.sent(book.welcomed(node: "node-1")).first)
        #expect(resent.order.command.operation == request.operation && book.awaits(commandID: resent.command.commandID, from: "node-1"))
        #expect(book.tick(now: Self.at(5)).isEmpty, "the backoff's send is not made as well")
    }

    @Test func anOrderStillRunningAcrossAReconnectIsAskedAgainUntilItsAnswer() throws {
        var limits = ModuleOrderBook.Limits()
        limits.attemptsMaximum = 1
        var book = ModuleOrderBook(term: 1, limits: limits)
        let request = Self.install()
        let first = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first)
        let taken = AgentCommandResult(commandID: first.command.commandID, accepted: true, detail: "taken")
        let running = book.receive(taken, from: "node-1", now: Self.at(1))
        #expect(running.awaited && running.actions.isEmpty)
        #expect(book.awaits(commandID: first.command.commandID, from: "node-1"), "still awaited on the same command")
        let afterReconnect = try #require(Self.sent(book.welcomed(node: "node-1")).first)
        let busy = Self.result(afterReconnect.command.commandID, .busy, of: request)
        #expect(book.receive(busy, from: "node-1", now: Self.at(2)).actions.isEmpty, "busy: still running, not abandoned")
        let asked = try #require(Self.sent(book.tick(now: Self.at(10))).first)
        let done = Self.result(asked.command.commandID, .installed, of: request)
        let ended = Self.finished(book.receive(done, from: "node-1", now: Self.at(11)).actions)
        #expect(ended.first?.ending == .answered(try #require(done.install)))
    }

    @Test func commandIDsKeepGrowingAcrossTerms() throws {
        var book = ModuleOrderBook(term: 1)
        let first = try #require(Self.sent(try book.place(Self.install("a"), now: Self.at(0)).get().1).first)
        _ = book.restart(term: 2)
        let request = Self.install("a", deployment: "manual.t2.1")
        let next = try #require(Self.sent(try book.place(request, now: Self.at(1)).get().1).first)
        #expect(next.command.commandID > first.command.commandID && next.order.command.sequence > first.order.command.sequence)
        let stale = Self.result(first.command.commandID, .installed, of: Self.install("a"))
        #expect(book.receive(stale, from: "a", now: Self.at(2)) == .ignored, "the old term's command is not the new one's")
    }

    @Test func oneOrderPerNodeAndModuleAndATotalBound() throws {
        var limits = ModuleOrderBook.Limits()
        limits.ordersMaximum = 2
        var book = ModuleOrderBook(term: 1, limits: limits)
        let (first, _) = try book.place(Self.install("a"), now: Self.at(0)).get()
        #expect(throws: ModuleOrderBook.Refusal.alreadyOpen(handle: first)) { try book.place(Self.install("a"), now: Self.at(0)).get() }
        _ = try book.place(Self.install("a", module: "api"), now: Self.at(0)).get()
        #expect(throws: ModuleOrderBook.Refusal.full(maximum: 2)) { try book.place(Self.install("b"), now: Self.at(0)).get() }
        var bad = Self.install("c")
        bad.artifact = nil
        #expect(throws: ModuleOrderBook.Refusal.invalid("an install order names no artifact")) {
            var fresh = ModuleOrderBook(term: 1)
            return try fresh.place(bad, now: Self.at(0)).get()
        }
    }

    @Test func anOrderPastItsLifetimeIsAbandonedAndANewTermForgetsEverything() throws {
        var limits = ModuleOrderBook.Limits()
        limits.lifetime = .seconds(60)
        var book = ModuleOrderBook(term: 4, limits: limits)
        _ = try book.place(Self.install("a"), now: Self.at(0)).get()
        _ = try book.place(Self.install("b"), now: Self.at(30)).get()
        let expired = Self.finished(book.tick(now: Self.at(60)))
        #expect(expired.map(\.request.node) == ["a"])
        #expect(book.results(of: "a").count == 1)
        let forgotten = Self.finished(book.restart(term: 5))
        #expect(forgotten.map(\.request.node) == ["b"] && forgotten.allSatisfy { $0.ending == .forgotten })
        #expect(book.openCount == 0 && book.term == 5 && book.results(of: "a").isEmpty)
        let next = try #require(Self.sent(try book.place(Self.install("b"), now: Self.at(70)).get().1).first)
        #expect(next.command.leaderTerm == 5 && next.order.command.term == 5)
    }

    @Test func resultsAreKeptForABoundedNumberOfNodesDroppingTheOldest() throws {
        var limits = ModuleOrderBook.Limits()
        limits.resultNodesMaximum = 2
        var book = ModuleOrderBook(term: 1, limits: limits)
        for node in ["a", "b", "c"] {
            let request = Self.install(node)
            let sent = try #require(Self.sent(try book.place(request, now: Self.at(0)).get().1).first)
            _ = book.receive(Self.result(sent.command.commandID, .installed, of: request), from: node, now: Self.at(1)).actions
        }
        #expect(book.results(of: "a").isEmpty && book.results(of: "b").count == 1 && book.results(of: "c").count == 1)
    }
}

/// A test's own failure to describe what it found.
struct ScriptFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

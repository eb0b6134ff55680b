import Fleet
import Gateway
import HostInstall
import Rollout
import Testing

/// The driver alone: an order's deadline leaves out the time it waited for capacity, and a
/// refused proposal is not made again before `proposalRetryMilliseconds`.
@Suite struct DeploymentDriverDeadlineTests {
    static let none = ReadingSource(reading: { _, _, _, _ in nil }, earliestSample: { _ in nil })
    static let key = DeploymentDriver.OrderKey(deployment: "d1", node: "n0", kind: .install)

    static var limits: DeploymentDriver.Limits {
        var limits = DeploymentDriver.Limits()
        limits.orderDeadlineMilliseconds = 20_000
        limits.orderRetryMilliseconds = 1_000
        limits.proposalRetryMilliseconds = 5_000
        return limits
    }

    static func record(installing: Bool) -> DeploymentRecord {
        var wave = WaveRecord()
        if installing { wave.state = .installing }
        let node = DeploymentNode(id: "n0", wave: 0, previousVersion: "1.0.0", state: installing ? .installing : .pending)
        return DeploymentRecord(id: "d1", module: "web", version: "2.0.0", environment: "development", strategy: .direct,
                                createdBy: "alice", createdAtMilliseconds: 0, waves: [wave], nodes: [node])
    }

    static func proposals(_ actions: [DeploymentDriver.Action]) -> [String] {
        actions.compactMap { if case let .propose(key, _) = $0 { key } else { nil } }
    }

    static func orders(_ actions: [DeploymentDriver.Action]) -> Int {
        actions.count { if case .order = $0 { true } else { false } }
    }

    @Test func waitingForCapacityNeitherStartsNorRunsTheDeadline() {
        var driver = DeploymentDriver(limits: Self.limits)
        let deployments = [Self.record(installing: true)]
        for at in stride(from: UInt64(0), through: 60_000, by: 30_000) {
            let actions = driver.step(deployments, nowMilliseconds: at, readings: Self.none)
            #expect(Self.orders(actions) == 1 && Self.proposals(actions).isEmpty, "at \(at) ms")
            driver.orderEnded(Self.key, .busy(detail: "full(maximum: 1024)"), nowMilliseconds: at)
        }
        #expect(Self.orders(driver.step(deployments, nowMilliseconds: 61_000, readings: Self.none)) == 1, "placed at last")
        driver.orderEnded(Self.key, .retry(detail: "interrupted"), nowMilliseconds: 62_000)
        #expect(Self.proposals(driver.step(deployments, nowMilliseconds: 80_000, readings: Self.none)).isEmpty, "19 s counted")
        driver.orderEnded(Self.key, .retry(detail: "interrupted"), nowMilliseconds: 80_500)
        let late = driver.step(deployments, nowMilliseconds: 81_000, readings: Self.none)
        #expect(Self.proposals(late) == ["install/d1/n0"])
        guard case let .propose(_, .recordNodeInstall(_, _, succeeded, detail, _)) = late.first else {
            Issue.record("no install result proposed: \(late)")
            return
        }
        #expect(!succeeded && detail == "no answer within 20 s; last: interrupted")
    }

    @Test func aRefusedProposalWaitsBeforeItIsMadeAgain() {
        var driver = DeploymentDriver(limits: Self.limits)
        let deployments = [Self.record(installing: false)]
        #expect(Self.proposals(driver.step(deployments, nowMilliseconds: 1_000, readings: Self.none)) == ["start/d1/0"])
        driver.proposalRefused("start/d1/0", nowMilliseconds: 4_000)
        #expect(Self.proposals(driver.step(deployments, nowMilliseconds: 8_000, readings: Self.none)).isEmpty)
        #expect(Self.proposals(driver.step(deployments, nowMilliseconds: 9_000, readings: Self.none)) == ["start/d1/0"])
        driver.proposalAnswered("start/d1/0")
        #expect(Self.proposals(driver.step(deployments, nowMilliseconds: 9_250, readings: Self.none)) == ["start/d1/0"])
    }
}

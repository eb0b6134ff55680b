import HostInstall
import Testing

/// Drives an `InstallCore` the way its shell does, answering each step from a table instead of
/// doing it: every step succeeds except `failing`, unpack reports the ports of `ports`, and with
/// `crashAt` the drive stops right after the intent at that step is persisted, as a crash would.
struct CoreDriver {
    static let stepsMaximum = 64

    var core: InstallCore
    /// Every action, in order, across every event fed.
    var actions: [InstallAction] = []
    /// The last record persisted: what a restart reads.
    var persisted: InstallRecord?
    var ports: [String: (Int?, Int?)] = [:]
    var failing: [InstallStep: String] = [:]
    var crashAt: InstallStep?

    init(_ record: InstallRecord, retainedMaximum: Int = InstallLimits.retainedVersionsDefault, ports: [String: (Int?, Int?)] = [:]) {
        core = InstallCore(record: record, retainedMaximum: retainedMaximum)
        self.ports = ports
    }

    /// Feeds `event` and answers steps until none is pending; the reports, in order.
    @discardableResult
    mutating func run(_ event: InstallEvent) -> [InstallResult] {
        var next: InstallEvent? = event
        var reports: [InstallResult] = []
        for _ in 0..<Self.stepsMaximum {
            guard let current = next else { return reports }
            let produced = core.handle(current)
            actions += produced
            next = nil
            for action in produced {
                switch action {
                case let .persist(record): persisted = record
                case let .report(result): reports.append(result)
                default: break
                }
            }
            guard let last = produced.last, Self.isStep(last), let step = core.record.intent?.step else { continue }
            if step == crashAt { return reports }
            if let reason = failing[step] {
                next = .failed(step, reason: reason)
            } else if case let .unpack(version) = last {
                let (port, alternate) = ports[version] ?? (nil, nil)
                next = .unpacked(port: port, alternatePort: alternate)
            } else {
                next = .done(step)
            }
        }
        Issue.record("the core took more than \(Self.stepsMaximum) steps")
        return reports
    }

    /// A new core from the last persisted record, as after a crash; the action log starts over.
    mutating func restart() -> [InstallResult] {
        core = InstallCore(record: persisted ?? core.record, retainedMaximum: core.retainedMaximum)
        actions = []
        crashAt = nil
        failing = [:]
        return run(.restarted)
    }

    /// The actions other than `persist`, for comparing with a table.
    var work: [InstallAction] {
        actions.filter { if case .persist = $0 { false } else { true } }
    }

    /// The intent's step at each persist, nil for a persist with nothing in flight.
    var persistedSteps: [InstallStep?] {
        actions.compactMap { action -> InstallStep?? in
            if case let .persist(record) = action { .some(record.intent?.step) } else { .none }
        }
    }

    static func isStep(_ action: InstallAction) -> Bool {
        switch action {
        case .unpack, .start, .stop, .probe, .link: true
        case .persist, .prune, .report: false
        }
    }
}

/// Shorthands the tables use.
enum Fixture {
    static let module = "web"

    /// The command's sequence defaults to its wave, so waves in order are commands in order.
    static func install(_ version: String, wave: UInt32 = 1, term: UInt64 = 1, strategy: InstallStrategy = .inPlace,
                        deployment: String = "d1", sequence: UInt64? = nil) -> InstallEvent {
        .command(InstallCommand(operation: OperationID(deploymentID: deployment, wave: wave, kind: .install(version: version)),
                                term: term, sequence: sequence ?? UInt64(wave), strategy: strategy))
    }

    static func switchBack(from version: String, wave: UInt32 = 9, term: UInt64 = 1, strategy: InstallStrategy = .inPlace,
                           sequence: UInt64? = nil) -> InstallEvent {
        .command(InstallCommand(operation: OperationID(deploymentID: "back", wave: wave, kind: .switchBack(from: version)), term: term,
                                sequence: sequence ?? UInt64(wave), strategy: strategy))
    }

    static func operation(_ version: String, wave: UInt32 = 1, deployment: String = "d1") -> OperationID {
        OperationID(deploymentID: deployment, wave: wave, kind: .install(version: version))
    }

    /// A record with `version` committed on `port`.
    static func committed(_ version: String, port: Int? = 8080, retained: [String] = []) -> InstallRecord {
        InstallRecord(module: module, term: 1, committed: ActiveVersion(version: version, port: port), retained: retained)
    }

    static let ports: [String: (Int?, Int?)] = [
        "1.0": (8080, 8081), "2.0": (8080, 8081), "3.0": (8080, 8081), "4.0": (8080, 8081), "5.0": (8080, 8081),
        "6.0": (8080, 8081), "9.0": (8080, nil),
    ]
}

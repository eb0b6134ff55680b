import HostInstall
import Locking
import ModuleInstallation
import Observability
import Primitives
import Telemetry
import Transport

/// The modules an agent owns (AGENT.md, "Installing modules"): `DATA/modules` through
/// `InstalledModules`, one `SupervisedProcesses` for all of them, a `ModuleInstaller` per module
/// (each made at start, which recovers what a crash left), and one worker thread that runs the
/// leader's orders one at a time from a bounded queue, fetching artifacts into `DATA/artifacts`.
/// A stop drains: no new order, the fetch under way given up, the running install given
/// `ModuleOrderSettings.drainTimeout` to end; then the processes are let go, still running, for
/// the next start to adopt. Installers are touched only by the worker, or before it starts and
/// after it ended.
final class AgentModules: Sendable {
    struct Order: Sendable {
        let commandID: UInt64
        let order: ModuleOrder
        let link: SessionLinkID
    }

    private struct Queue {
        var waiting: [Order] = []
        var draining = false
        var started = false
        var ended = false
    }

    static let modulesName = "modules"
    static let artifactsName = "artifacts"

    let settings: ModuleOrderSettings
    let logger: Logger
    let installed: InstalledModules
    let processes: SupervisedProcesses
    let inbox: ArtifactInbox
    let fetcher: Locked<ArtifactFetcher>
    let installers = Locked<[String: ModuleInstaller]>([:])
    private let versions = Locked<[String: String]>([:])
    /// The HTTP health endpoint of each installed module's committed version (`AgentModules+Health.swift`).
    let healthEndpoints = Locked<[String: HealthEndpoint]>([:])
    /// The modules whose committed version was started or adopted once (`installer(for:)`).
    let resumed = Locked<Set<String>>([])
    private let queue = Locked(Queue())
    private let wake: WakeSignal
    private let ended: WakeSignal
    let port = Locked<(any ModuleOrderPort)?>(nil)
    /// What a queued order must still hold when it is taken and before it runs.
    let fence: ModuleOrderFence
    private let thread = Locked<NativeThread?>(nil)

    /// Takes up `DATA/modules` and `DATA/artifacts`: the process control's lock, then an
    /// installer per module (recovering it) whose committed version is started or adopted.
    /// A module that cannot be taken up is logged and left; its orders are answered
    /// `accepted: false` until one can.
    init(dataDirectory: String, settings: ModuleOrderSettings, processSettings: ProcessSettings = ProcessSettings(),
         terms: any TermRecord, logger: Logger) throws(AgentModulesError) {
        self.settings = settings
        fence = ModuleOrderFence(terms: terms)
        self.logger = logger
        installed = InstalledModules(directory: "\(dataDirectory)/\(Self.modulesName)", portOffset: processSettings.portOffset)
        let names: [String]
        do {
            names = try installed.names()
            processes = try SupervisedProcesses(modulesDirectory: installed.directory, settings: processSettings)
        } catch {
            throw AgentModulesError("\(installed.directory): \(error)")
        }
        do {
            fetcher = Locked(try ArtifactFetcher(directory: "\(dataDirectory)/\(Self.artifactsName)", settings: settings.fetch,
                                                 logger: logger))
            inbox = try ArtifactInbox(bytesMaximum: settings.fetch.waitingBytesMaximum)
            wake = try WakeSignal()
            ended = try WakeSignal()
        } catch {
            processes.shutdown()
            throw AgentModulesError("\(error)")
        }
        for name in names {
            do { _ = try installer(for: name) } catch {
                logger.error("cannot take up an installed module; its orders are refused until it can be",
                             ["module": name, "error": "\(error)"])
            }
        }
    }

    /// The committed version of every module taken up.
    var installedVersions: [String: String] { versions.withLock { $0 } }

    /// Starts the worker; orders are sent back through `port`.
    func start(port: any ModuleOrderPort) {
        self.port.withLock { $0 = port }
        queue.withLock { queue in
            guard !queue.started else { return }
            queue.started = true
            thread.withLock { $0 = NativeThread(name: "hs-modules") { [self] in work() } }
        }
    }

    /// Queues an order; an answer now when it cannot be queued (full, or the agent is stopping).
    func submit(_ order: Order) -> AgentCommandResult? {
        let refusal = queue.withLock { queue -> String? in
            if queue.draining || !queue.started { return "the agent is shutting down" }
            guard queue.waiting.count < settings.queueMaximum else {
                return "the agent's order queue is full (\(settings.queueMaximum) orders wait)"
            }
            queue.waiting.append(order)
            return nil
        }
        guard let refusal else {
            wake.notify()
            return nil
        }
        logger.warning("module order not taken", ["command": "\(order.commandID)", "module": order.order.module, "reason": refusal])
        return AgentCommandResult(commandID: order.commandID, accepted: false, detail: "not taken: \(refusal)")
    }

    /// The session's loop: a frame of an artifact fetch from `link`.
    func deliver(_ frame: ArtifactFrame, on link: SessionLinkID) {
        inbox.deliver(frame, on: link)
    }

    /// The session's loop: `link` cannot carry the fetch under way on it.
    func linkEnded(_ link: SessionLinkID, reason: String) {
        inbox.fail(on: link, reason: reason)
    }

    /// Stops taking orders, answers the waiting ones `accepted: false`, gives up a fetch under way,
    /// and waits up to `drainTimeout` for the running order. True when the worker ended.
    func drain() -> Bool {
        let (dropped, started) = queue.withLock { queue in
            queue.draining = true
            defer { queue.waiting = [] }
            return (queue.waiting, queue.started)
        }
        let port = port.withLock { $0 }
        for order in dropped {
            port?.finished(AgentCommandResult(commandID: order.commandID, accepted: false, detail: "not taken: the agent is stopping"),
                           on: order.link, installedVersions: installedVersions)
        }
        inbox.interrupt()
        wake.notify()
        guard started else { return true }
        let deadline = MonotonicInstant.now().advanced(by: settings.drainTimeout)
        while !queue.withLock({ $0.ended }) {
            guard MonotonicInstant.now() < deadline else { return false }
            ended.wait(until: deadline)
        }
        let worker = thread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        worker?.join()
        return true
    }

    /// After `drain`: when the worker ended, releases every installer and lets the processes go
    /// (they keep running); when it did not, leaves both to the process's exit and the next start.
    func finish(drained: Bool) {
        guard drained else {
            logger.warning("a module order is still running; the next start recovers it", [
                "drainTimeout": "\(settings.drainTimeout)"])
            return
        }
        installers.withLock { installers in
            for installer in installers.values { installer.release() }
            installers = [:]
        }
        processes.shutdown()
        for failure in processes.recordFailures { logger.warning("recording a restarted module process failed", ["error": failure]) }
    }

    /// The process id of each installed module's committed version while it runs under this agent.
    func measuredProcesses() -> [String: Int32] {
        var pids: [String: Int32] = [:]
        for (module, version) in installedVersions {
            if let pid = processes.supervisors(of: module)[version]?.status.process?.pid { pids[module] = pid }
        }
        return pids
    }

    private func work() {
        while true {
            let next = queue.withLock { queue -> Order?? in
                if !queue.waiting.isEmpty { return .some(queue.waiting.removeFirst()) }
                return queue.draining ? .some(nil) : nil
            }
            switch next {
            case let .some(.some(order)):
                let result = run(order)
                port.withLock { $0 }?.finished(result, on: order.link, installedVersions: installedVersions)
            case .some(.none):
                queue.withLock { $0.ended = true }
                ended.notify()
                return
            case .none:
                wake.wait(until: nil)
            }
        }
    }

    /// Notes `installer`'s committed version (or its absence) for the hello.
    func noteVersion(of installer: ModuleInstaller) {
        let module = installer.layout.module
        let committed = installer.core.record.committed?.version
        versions.withLock { $0[module] = committed }
        noteHealth(of: installer)
    }
}

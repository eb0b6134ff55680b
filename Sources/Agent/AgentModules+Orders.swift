import Glibc
import HostInstall
import ModuleArchive
import ModuleInstallation
import Primitives
import Telemetry

/// One order on the worker thread: the module's installer (made, and recovered, at its first
/// use), the signature policy, the artifact fetch when the installer will need the bytes, the
/// install itself, and the answer (PROTOCOL.md, "Module orders").
extension AgentModules {
    /// The installer of `module`, made when missing: its init recovers what a crash left (logged);
    /// with `resuming`, the committed version is then started or adopted (`SupervisedProcesses.resume`).
    func installer(for module: String, resuming: Bool) throws(InstallationError) -> ModuleInstaller {
        if let made = installers.withLock({ $0[module] }) { return made }
        let installer = try ModuleInstaller(layout: try installed.layout(for: module), processes: processes)
        logTakeUp(installer)
        if resuming {
            do { try processes.resume(layout: installer.layout, record: installer.core.record) } catch {
                logger.error("cannot resume a module's processes", ["module": module, "error": "\(error)"])
            }
        }
        installers.withLock { $0[module] = installer }
        noteVersion(of: installer)
        return installer
    }

    private func logTakeUp(_ installer: ModuleInstaller) {
        let module = installer.layout.module
        let inspection = installer.inspection
        logger.info("module taken up", [
            "module": module, "committed": installer.core.record.committed?.version ?? "none",
            "leftoversRemoved": "\(inspection.leftoversRemoved.count)"])
        for result in installer.recovered {
            logger.warning("recovered a module operation a restart interrupted", [
                "module": module, "operation": "\(result.operation)", "outcome": "\(result.outcome)", "reason": result.reason ?? ""])
        }
        logFindings(of: installer)
    }

    private func logFindings(of installer: ModuleInstaller) {
        let module = installer.layout.module
        for name in installer.unexpected {
            logger.warning("left a name in a module's versions that HotSwap did not make", ["module": module, "name": name])
        }
        for failure in installer.stopFailures {
            logger.warning("a version that may still run did not stop", ["module": module, "error": failure])
        }
    }

    /// Runs one order to its answer; nothing of it runs unless it passes the fence when taken
    /// off the queue and again just before the install.
    func run(_ order: Order) -> AgentCommandResult {
        if let refusal = fence.refusal(for: order) { return notTaken(order, "fenced: \(refusal)") }
        let module = order.order.module
        let installer: ModuleInstaller
        do { installer = try self.installer(for: module, resuming: false) } catch {
            return notTaken(order, "cannot take up module \(module): \(error)")
        }
        var artifact: ModuleArtifact?
        if let ordered = order.order.artifact, let digest = ArtifactDigest(bytes: ordered.sha256) {
            if let refusal = ArtifactTrust.refusal(ordered) { return refused(order, installer, refusal) }
            let finished = fetcher.withLock { $0.files.finishedPath(digest) }
            if needsArtifact(installer, order.order) {
                switch fetchArtifact(ordered, on: order.link) {
                case .fetched: break
                case let .refused(reason):
                    fetcher.withLock { $0.discard(sha256: ordered.sha256) }
                    return refused(order, installer, reason)
                case let .failed(reason): return notTaken(order, "the artifact was not fetched: \(reason)")
                }
            }
            artifact = ModuleArtifact(path: finished, sha256: digest)
        }
        if let refusal = fence.refusal(for: order) { return notTaken(order, "fenced: \(refusal)") }
        let results: [InstallResult]
        do { results = try installer.perform(order.order.command, artifact: artifact) } catch {
            let active = installer.core.record.committed
            installer.release()
            installers.withLock { $0[module] = nil }
            return interrupted(order, active: active, "the install could not be recorded: \(error); the module recovers at its next order")
        }
        logFindings(of: installer)
        noteVersion(of: installer)
        guard let result = results.last(where: { $0.operation == order.order.command.operation }) else {
            return notTaken(order, "the installer gave no result for this operation")
        }
        if let ordered = order.order.artifact, [.installed, .failed, .refused].contains(result.outcome) {
            fetcher.withLock { $0.discard(sha256: ordered.sha256) }
        }
        logger.info("module order done", [
            "command": "\(order.commandID)", "module": module, "operation": "\(result.operation)", "outcome": "\(result.outcome)",
            "active": result.active?.version ?? "none", "reason": result.reason ?? ""])
        return AgentCommandResult(commandID: order.commandID, accepted: true, detail: "\(result.outcome)", install: result)
    }

    private func fetchArtifact(_ artifact: OrderedArtifact, on link: SessionLinkID) -> ArtifactFetcher.Outcome {
        let port = port.withLock { $0 }
        return fetcher.withLock { fetcher in
            fetcher.fetch(artifact, on: link, inbox: inbox) { request in port?.requestArtifact(request, on: link) }
        }
    }

    /// Whether the installer will unpack the ordered artifact: not when it answers without doing
    /// anything (an operation completed before, a stale command, one in flight), and not when
    /// the version is on disk already (it is reused only if unpacked from the same sha256).
    private func needsArtifact(_ installer: ModuleInstaller, _ order: ModuleOrder) -> Bool {
        let record = installer.core.record
        let command = order.command
        if record.completed.contains(where: { $0.operation == command.operation && $0.outcome != .interrupted }) { return false }
        if command.term < record.term || (command.term == record.term && command.sequence < record.sequence) { return false }
        guard record.intent == nil, case let .install(version) = command.operation.kind else { return false }
        var status = stat()
        return lstat(installer.layout.versionDirectory(version), &status) != 0
    }

    private func refused(_ order: Order, _ installer: ModuleInstaller, _ reason: String) -> AgentCommandResult {
        logger.warning("module order refused", ["command": "\(order.commandID)", "module": order.order.module, "reason": reason])
        let result = InstallResult(operation: order.order.command.operation, outcome: .refused,
                                   active: installer.core.record.committed, reason: reason)
        return AgentCommandResult(commandID: order.commandID, accepted: true, detail: "refused", install: result)
    }

    /// Steps may have run before the installer failed to record them: the leader may send the
    /// same operation again, and the next start (or order) recovers the module.
    private func interrupted(_ order: Order, active: ActiveVersion?, _ reason: String) -> AgentCommandResult {
        logger.error("module order interrupted", ["command": "\(order.commandID)", "module": order.order.module, "reason": reason])
        let result = InstallResult(operation: order.order.command.operation, outcome: .interrupted, active: active, reason: reason)
        return AgentCommandResult(commandID: order.commandID, accepted: true, detail: "interrupted", install: result)
    }

    private func notTaken(_ order: Order, _ reason: String) -> AgentCommandResult {
        logger.warning("module order not taken", ["command": "\(order.commandID)", "module": order.order.module, "reason": reason])
        return AgentCommandResult(commandID: order.commandID, accepted: false,
                                  detail: reason.truncated(toUTF8Bytes: AgentSessionLimits.textBytesMaximum))
    }
}

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
    /// The installer of `module`, made when missing: its init recovers what a crash left (logged).
    /// Then, until it once succeeded for the module, its committed version is started or adopted
    /// (`SupervisedProcesses.resume`): at start, or at the module's first order when it could not
    /// be taken up at start, and again at each order after a resume that failed.
    func installer(for module: String) throws(InstallationError) -> ModuleInstaller {
        let installer: ModuleInstaller
        if let made = installers.withLock({ $0[module] }) {
            installer = made
        } else {
            installer = try ModuleInstaller(layout: try installed.layout(for: module), processes: processes)
            logTakeUp(installer)
            installers.withLock { $0[module] = installer }
            noteVersion(of: installer)
        }
        resumeIfNeeded(installer)
        return installer
    }

    private func resumeIfNeeded(_ installer: ModuleInstaller) {
        let module = installer.layout.module
        guard installer.core.record.intent == nil, !resumed.withLock({ $0.contains(module) }) else { return }
        do {
            try processes.resume(layout: installer.layout, record: installer.core.record)
            resumed.withLock { _ = $0.insert(module) }
        } catch {
            logger.error("cannot resume a module's processes; tried again at its next order", ["module": module, "error": "\(error)"])
        }
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
        do { installer = try self.installer(for: module) } catch {
            return notTaken(order, "cannot take up module \(module): \(error)")
        }
        let artifact: ModuleArtifact?
        switch prepareArtifact(for: order, installer) {
        case let .ready(prepared): artifact = prepared
        case let .answered(answer): return answer
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

    private enum PreparedArtifact {
        case ready(ModuleArtifact?)
        case answered(AgentCommandResult)
    }

    /// The artifact the installer gets, fetched (after the signature policy) only when the
    /// installer's own decision is to unpack it and the version is not on disk; a repeated,
    /// stale, busy or refused command asks for neither signature nor bytes. Or the answer when
    /// the order ends here.
    private func prepareArtifact(for order: Order, _ installer: ModuleInstaller) -> PreparedArtifact {
        guard let ordered = order.order.artifact else { return .ready(nil) }
        guard let digest = ArtifactDigest(bytes: ordered.sha256) else {
            return .answered(refused(order, installer, "the artifact's sha256 is not \(OrderedArtifact.digestBytes) bytes"))
        }
        let finished = fetcher.withLock { $0.files.finishedPath(digest) }
        if let version = installer.core.willUnpack(order.order.command) {
            if let refusal = ArtifactTrust.refusal(ordered) { return .answered(refused(order, installer, refusal)) }
            if !isOnDisk(installer, version) {
                switch fetchArtifact(ordered, on: order.link) {
                case .fetched: break
                case let .refused(reason):
                    fetcher.withLock { $0.discard(sha256: ordered.sha256) }
                    return .answered(refused(order, installer, reason))
                case let .failed(reason): return .answered(notTaken(order, "the artifact was not fetched: \(reason)"))
                }
            }
        }
        return .ready(ModuleArtifact(path: finished, sha256: digest))
    }

    private func fetchArtifact(_ artifact: OrderedArtifact, on link: SessionLinkID) -> ArtifactFetcher.Outcome {
        let port = port.withLock { $0 }
        return fetcher.withLock { fetcher in
            fetcher.fetch(artifact, on: link, inbox: inbox) { request in port?.requestArtifact(request, on: link) }
        }
    }

    /// Whether `version` is on disk already: the installer reuses it only if it was unpacked
    /// from the same sha256, and otherwise refuses without reading the artifact.
    private func isOnDisk(_ installer: ModuleInstaller, _ version: String) -> Bool {
        var status = stat()
        return lstat(installer.layout.versionDirectory(version), &status) == 0
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

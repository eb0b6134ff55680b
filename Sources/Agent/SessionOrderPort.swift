import Locking
import Telemetry
import Transport

/// The module worker's way into the session: each call becomes an event on the session's loop.
/// Closed before the loop stops, after which calls do nothing (the held lock makes a call
/// either reach the loop before `close` returns or not at all).
final class SessionOrderPort: ModuleOrderPort {
    private let session: LoopBound<AgentSession>
    private let isOpen = Locked(true)

    init(session: LoopBound<AgentSession>) {
        self.session = session
    }

    func requestArtifact(_ request: ArtifactRequest, on link: SessionLinkID) {
        post(.requestArtifact(request, on: link))
    }

    func finished(_ result: AgentCommandResult, on link: SessionLinkID, installedVersions: [String: String]) {
        post(.moduleOrderFinished(result, on: link, installedVersions: installedVersions))
    }

    func close() {
        isOpen.withLock { $0 = false }
    }

    private func post(_ event: AgentSessionEvent) {
        isOpen.withLock { open in
            guard open else { return }
            session.withValueOnLoop { $0.moduleEvent(event) }
        }
    }
}

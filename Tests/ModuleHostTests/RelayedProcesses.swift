import ModuleInstallation

/// A process side that passes every call to a `SupervisedProcesses` through `around`, which runs
/// the call (`proceed`) or not, and may do anything before or after it: how a test watches,
/// fails or cuts short the installer's calls while real processes run.
final class RelayedProcesses: ModuleProcessControl {
    enum Call: Sendable {
        case start
        case stop
        case probe
    }

    typealias Around = @Sendable (_ call: Call, _ version: String, _ proceed: () throws(ProcessControlFailure) -> Void)
        throws(ProcessControlFailure) -> Void

    let inner: SupervisedProcesses
    private let around: Around

    init(_ inner: SupervisedProcesses, around: @escaping Around) {
        self.inner = inner
        self.around = around
    }

    /// When `around` does not run the start, it must throw: there is no answer to give.
    func start(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) -> ProcessStart {
        var started: ProcessStart?
        try around(.start, version) { () throws(ProcessControlFailure) in
            started = try inner.start(module: module, version: version, directory: directory, port: port)
        }
        guard let started else { throw ProcessControlFailure("the test's relay did not run the start of \(version)") }
        return started
    }

    func stop(module: String, version: String) throws(ProcessControlFailure) {
        try around(.stop, version) { () throws(ProcessControlFailure) in try inner.stop(module: module, version: version) }
    }

    func probe(module: String, version: String, directory: String, port: Int?) throws(ProcessControlFailure) {
        try around(.probe, version) { () throws(ProcessControlFailure) in
            try inner.probe(module: module, version: version, directory: directory, port: port)
        }
    }
}

/// Why the supervisor could not run, probe or take over a module, in a sentence that names what
/// to look at.
public enum SupervisionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The launch itself cannot run: a relative directory, `${HOTSWAP_PORT}` without a port.
    case invalidLaunch(String)
    /// The command is not a program the module may run: missing, not executable, or resolving
    /// outside the version's directory.
    case commandRefused(command: String, reason: String)
    /// `posix_spawn` or the descriptors around it failed.
    case spawnFailed(command: String, reason: String)
    /// The module's log file could not be opened.
    case logUnavailable(path: String, reason: String)
    /// A system resource the supervisor needs (an eventfd, a pidfd) could not be had.
    case system(operation: String, reason: String)
    /// `/proc` (a process's stat, the boot id) could not be read or parsed.
    case processUnreadable(path: String, reason: String)
    /// `start()` on a supervisor that already started (or adopted, or stopped): make a new one.
    case alreadyStarted

    public var description: String {
        switch self {
        case let .invalidLaunch(reason): "cannot launch the module: \(reason)"
        case let .commandRefused(command, reason): "refusing to run '\(command)': \(reason)"
        case let .spawnFailed(command, reason): "cannot start '\(command)': \(reason)"
        case let .logUnavailable(path, reason): "cannot open the module log \(path): \(reason)"
        case let .system(operation, reason): "\(operation) failed: \(reason)"
        case let .processUnreadable(path, reason): "cannot read \(path): \(reason)"
        case .alreadyStarted: "this supervisor has already started; make a new one"
        }
    }
}

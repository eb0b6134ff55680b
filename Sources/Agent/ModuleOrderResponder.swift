import HostInstall
import Telemetry

/// Where a session without an installer sends its module orders: the benchmarks' simulated
/// hosts (`AgentSimulation`). Called on the session's loop, after the order passed the session's
/// fencing; the answer goes back on that loop too, once, now or later.
public protocol ModuleOrderResponder: AnyObject {
    /// Answers order `commandID` by calling `answer` with its result and every installed
    /// module's committed version (what a real agent sends and puts in its next hello).
    func respond(to order: ModuleOrder, commandID: UInt64,
                 answer: @escaping (AgentCommandResult, _ installedVersions: [String: String]) -> Void)
}

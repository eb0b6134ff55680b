import Cluster
import Gateway
import Primitives
import Transport

/// The view's time-dependent answers at the moment they are asked: the
/// coordinator reads the monotonic clock, the view only compares instants.
extension ClusterView {
    var helloKnowledge: HelloRoute.Knowledge { helloKnowledge(at: .now()) }

    var leaseRemainingMilliseconds: Int64 { leaseRemainingMilliseconds(at: .now()) }

    var isActingLeader: Bool { isActingLeader(at: .now()) }

    var json: String { json(at: .now()) }
}

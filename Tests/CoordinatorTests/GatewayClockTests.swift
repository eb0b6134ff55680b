@testable import Coordinator
import Cluster
import Primitives
import Testing
import Transport

/// The gateway reads leases on the clock it was given, in node reads too: on a virtual clock far
/// ahead of the boot clock, a gateway that read the boot clock anywhere would take a lease that
/// ended in virtual time for one that has hardly begun.
@Suite struct GatewayClockTests {
    @Test func nodeReadsEndWithTheLeaseOnTheInjectedClock() throws {
        let port = try AgentPort(clock: VirtualClock(start: MonotonicInstant(nanoseconds: 1 << 62)))
        port.publish(.leader(term: 2, lease: .seconds(5)))
        guard case .document = port.gateway.answer(.nodes) else {
            Issue.record("the acting leader did not answer a node read")
            return
        }
        port.embedded.advanceTime(by: .seconds(6))
        #expect(port.gateway.answer(.nodes) == .refused(.noLeader("this coordinator does not act as leader")),
                "a node read was answered on a lease that ended on the gateway's clock")
    }
}

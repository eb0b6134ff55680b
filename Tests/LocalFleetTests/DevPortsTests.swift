@testable import LocalFleet
import Testing

struct DevPortsTests {
    @Test func apiPortsThatWouldPassTheLastPortAreRefusedBeforeAnyBind() {
        #expect { try DevPorts.plan(apiPort: 65_534, portBase: 0, names: DevLayout.coordinatorNames) } throws: { error in
            (error as? DevFailure)?.description == "--api-port 65534 leaves no room for 3 API ports"
        }
    }

    @Test func aPortBaseThatWouldPassTheLastPortIsRefusedBeforeAnyBind() {
        #expect { try DevPorts.plan(apiPort: 0, portBase: 65_516, names: DevLayout.coordinatorNames) } throws: { error in
            (error as? DevFailure)?.description == "--port-base 65516 leaves no room for 3 peer and agent ports"
        }
    }

    @Test func systemPickedPortsReserveDistinctPeerPortsAndLeaveTheRestToTheCoordinators() throws {
        let ports = try DevPorts.plan(apiPort: 0, portBase: 0, names: DevLayout.coordinatorNames)
        #expect(ports.api == [0, 0, 0] && ports.agent == [0, 0, 0])
        #expect(Set(ports.peer).count == 3 && !ports.peer.contains(0))
    }

    @Test func aTakenPortIsNamedWithWhatItWasFor() throws {
        let taken = try DevPorts.plan(apiPort: 0, portBase: 0, names: ["c1"]).peer[0]
        let listener = try LoopbackListener(port: taken)
        defer { listener.close() }
        #expect { try DevPorts.requireFree([(taken, "c1 peer")]) } throws: { error in
            let text = (error as? DevFailure)?.description ?? ""
            return text.hasPrefix("port \(taken) (c1 peer) is already in use on 127.0.0.1") && text.contains("--api-port 0 --port-base 0")
        }
    }
}

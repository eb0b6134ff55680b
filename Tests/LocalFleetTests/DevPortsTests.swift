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

    /// The command line's ranges end where `plan` starts refusing.
    @Test func theLargestBasesAreTheLastThatLeaveRoomForEveryPort() {
        #expect(DevPorts.apiPortMaximum == 65_533 && DevPorts.portBaseMaximum == 65_514)
        #expect(throws: DevFailure.self) {
            try DevPorts.plan(apiPort: UInt16(DevPorts.apiPortMaximum + 1), portBase: 0, names: DevLayout.coordinatorNames)
        }
        #expect(throws: DevFailure.self) {
            try DevPorts.plan(apiPort: 0, portBase: UInt16(DevPorts.portBaseMaximum + 1), names: DevLayout.coordinatorNames)
        }
    }

    /// API ports P..P+2 against peer ports B, B+10, B+20 and agent ports one above each.
    @Test(arguments: [(UInt16(7000), UInt16(6999), UInt16?(7000)), (7002, 7001, 7002), (7011, 7000, 7011), (7003, 7000, nil),
                      (7012, 7000, nil), (8443, 7000, nil), (0, 7000, nil), (7000, 0, nil)])
    func apiPortsMustNotMeetPeerOrAgentPorts(apiPort: UInt16, portBase: UInt16, shared: UInt16?) {
        #expect(DevPorts.sharedPort(apiPort: apiPort, portBase: portBase) == shared)
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

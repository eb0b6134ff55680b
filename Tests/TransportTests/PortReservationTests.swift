import Glibc
import Primitives
import Testing
@testable import Transport

struct PortReservationTests {
    @Test func theRangeStartIsTheFirstNumberOfTheKernelsText() {
        #expect(PortReservation.firstPort(inRange: Array("32768\t60999\n".utf8)) == 32_768)
        #expect(PortReservation.firstPort(inRange: Array("1024 65535".utf8)) == 1_024)
        for refused in ["", "\t32768", "abc", "70000 70001", "0 10", "123456 1"] {
            #expect(PortReservation.firstPort(inRange: Array(refused.utf8)) == nil, "\(refused)")
        }
    }

    @Test func aPortBelowTheEphemeralRangeIsHeldYetAListenerStillBindsBesideIt() throws {
        let reservation = try #require(PortReservation.belowEphemeralRange { _ in true })
        defer { reservation.release() }
        let ceiling = min(PortReservation.ephemeralRangeStart(), PortReservation.defaultEphemeralRangeStart)
        #expect(Int(reservation.port) >= PortReservation.candidatesFloor && Int(reservation.port) < ceiling)
        #expect(ListeningPort.isFree(SocketAddress.loopbackIPv4.withPort(reservation.port)))
        let plain = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(plain) }
        let bound = SocketAddress.loopbackIPv4.withPort(reservation.port).withSocketAddress { bind(plain, $0, $1) }
        #expect(bound != 0, "a socket without SO_REUSEADDR bound a reserved port")
    }

    @Test func onlyClaimedCandidatesAreReservedAndNoneWhenNothingMayBeClaimed() throws {
        #expect(PortReservation.belowEphemeralRange { _ in false } == nil)
        var offered: [UInt16] = []
        let claimed = PortReservation.belowEphemeralRange { port in
            offered.append(port)
            return offered.count >= 3
        }
        let reservation = try #require(claimed)
        defer { reservation.release() }
        #expect(offered.count >= 3 && reservation.port == offered.last)
    }

    @Test func portZeroReservesOneTheSystemPicks() throws {
        let reservation = try #require(PortReservation(port: 0))
        defer { reservation.release() }
        #expect(reservation.port != 0)
        let sharing = try #require(PortReservation(port: reservation.port), "a second reservation with SO_REUSEADDR shares it")
        sharing.release()
    }
}

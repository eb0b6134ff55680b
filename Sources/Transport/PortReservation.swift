import FileSystem
import Glibc

/// A loopback port kept from being handed out until a process that binds it later (a module
/// started after an unpack) does: a socket bound to 127.0.0.1 with SO_REUSEADDR that never
/// listens, which is no listener, so a listener with SO_REUSEADDR still binds beside it.
/// `belowEphemeralRange` picks a port that no other program's port-0 bind can be given, on any
/// address (a reservation on 127.0.0.1 does not keep a dual-stack `[::]` listener off).
public struct PortReservation: Sendable {
    /// Where below-range candidates start, clear of well-known and registered services' usual ports.
    public static let candidatesFloor = 10_000
    /// Random tries before `belowEphemeralRange` gives up.
    public static let candidateTriesMaximum = 400
    /// The range start when `ip_local_port_range` cannot be read (the kernel's default), and the
    /// highest start used: a lowered range still leaves candidates up to it.
    public static let defaultEphemeralRangeStart = 32_768
    static let portRangePath = "/proc/sys/net/ipv4/ip_local_port_range"

    public let port: UInt16
    private let descriptor: Int32

    /// Reserves `port` on 127.0.0.1, or one the system picks when it is 0; nil when it cannot be bound.
    public init?(port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        Socket.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        self.port = UInt16(bigEndian: address.sin_port)
    }

    /// A reserved port from `candidatesFloor` up to the ephemeral range, tried at random. Two
    /// reservations with SO_REUSEADDR may share a port, so the process hands each out once:
    /// `claim` answers whether a candidate is still its to give (and notes it given). Nil when
    /// none of `candidateTriesMaximum` tries binds.
    public static func belowEphemeralRange(claiming claim: (UInt16) -> Bool) -> PortReservation? {
        let ceiling = min(ephemeralRangeStart(), defaultEphemeralRangeStart)
        guard ceiling > candidatesFloor else { return nil }
        for _ in 0..<candidateTriesMaximum {
            let candidate = UInt16.random(in: UInt16(candidatesFloor)..<UInt16(ceiling))
            guard claim(candidate) else { continue }
            if let reservation = PortReservation(port: candidate) { return reservation }
        }
        return nil
    }

    /// Lets the port go: the process it was kept for binds it, or nothing will.
    public func release() { close(descriptor) }

    /// The first port of the range the kernel hands out for port 0; `defaultEphemeralRangeStart`
    /// when it cannot be read or makes no sense.
    public static func ephemeralRangeStart() -> Int {
        let text: [UInt8]
        do throws(FileError) {
            text = try FileReader.read(portRangePath, maximumBytes: 64)
        } catch {
            return defaultEphemeralRangeStart
        }
        return firstPort(inRange: text) ?? defaultEphemeralRangeStart
    }

    /// The first number of `ip_local_port_range`'s text ("32768\t60999\n"), when it is a port.
    static func firstPort(inRange text: [UInt8]) -> Int? {
        let digits = text.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard !digits.isEmpty, digits.count <= 5, let port = Int(String(decoding: digits, as: UTF8.self)),
              port > 0, port <= Int(UInt16.max) else { return nil }
        return port
    }
}

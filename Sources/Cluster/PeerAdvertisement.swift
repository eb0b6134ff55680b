import Fleet
import Primitives

/// What a coordinator tells every member it dials, in each keepalive ping of its peer link
/// (PROTOCOL.md, "Peer advertisement"): the highest fleet encoding version its build reads. A
/// format byte comes first; a later format may append fields, which a reader of this one skips.
public struct PeerAdvertisement: Sendable, Equatable {
    public static let format: UInt8 = 1
    public let fleetVersionRead: UInt8

    public init(fleetVersionRead: UInt8) {
        self.fleetVersionRead = fleetVersionRead
    }

    /// This build's: the newest fleet version it decodes.
    public static let current = PeerAdvertisement(fleetVersionRead: FleetCodec.versionsRead.upperBound)

    public var encoded: [UInt8] { [Self.format, fleetVersionRead] }

    /// Nil for no bytes (a build before advertisements); throws for a format 0, a truncated
    /// advertisement, or bytes after a format-1 one.
    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> PeerAdvertisement? {
        guard !bytes.isEmpty else { return nil }
        var reader = BinaryReader(bytes)
        let format = try reader.readUInt8()
        guard format >= 1 else { throw .invalidValue(offset: 0, detail: "peer advertisement format 0") }
        let advertisement = PeerAdvertisement(fleetVersionRead: try reader.readUInt8())
        if format == Self.format { try reader.expectEnd() }
        return advertisement
    }
}

/// What a coordinator knows of the fleet entries one member reads, from the pings of that
/// member's link to it.
public enum MemberReads: Sendable, Equatable {
    /// Its pings advertise nothing: a build before advertisements, which may read no more than
    /// every build that can share a cluster with this one (`FleetCodec.versionWrittenMinimum`).
    case unadvertised
    case advertised(fleetVersion: UInt8)

    public init(_ advertisement: PeerAdvertisement?) {
        self = advertisement.map { .advertised(fleetVersion: $0.fleetVersionRead) } ?? .unadvertised
    }

    /// The newest fleet version the member is known to read.
    public var fleetVersion: UInt8 {
        switch self {
        case .unadvertised: FleetCodec.versionWrittenMinimum
        case let .advertised(version): version
        }
    }
}

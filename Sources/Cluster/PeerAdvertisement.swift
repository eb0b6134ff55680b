import Fleet
import Primitives

/// What a coordinator tells every member it dials, in each keepalive ping of its peer link
/// (PROTOCOL.md, "Peer advertisement"): the highest fleet encoding version its build reads and,
/// from format 2, its cluster identity (`ClusterIdentity`). A format byte comes first; a later
/// format may append fields, which a reader of this one skips.
public struct PeerAdvertisement: Sendable, Equatable {
    public static let format: UInt8 = 2
    public let fleetVersionRead: UInt8
    /// `.none` from a format-1 advertisement (a build before cluster identities).
    public let identity: ClusterIdentity

    public init(fleetVersionRead: UInt8, identity: ClusterIdentity) {
        self.fleetVersionRead = fleetVersionRead
        self.identity = identity
    }

    /// This build's: the newest fleet version it decodes, and `identity`.
    public static func current(identity: ClusterIdentity) -> PeerAdvertisement {
        PeerAdvertisement(fleetVersionRead: FleetCodec.versionsRead.upperBound, identity: identity)
    }

    /// `format | fleetVersionRead | identity kind (0 none, 1 joining, 2 id) | id u64 BE` (0 unless an id).
    public var encoded: [UInt8] {
        var writer = BinaryWriter(reservingCapacity: 11)
        writer.write(Self.format)
        writer.write(fleetVersionRead)
        switch identity {
        case .none: writer.write(UInt8(0)); writer.write(UInt64(0))
        case .joining: writer.write(UInt8(1)); writer.write(UInt64(0))
        case let .id(value): writer.write(UInt8(2)); writer.write(value)
        }
        return writer.bytes
    }

    /// Nil for no bytes (a build before advertisements); throws for a format 0, a truncated
    /// advertisement, an unknown identity kind, an id of zero, or bytes after a format-1 or format-2 one.
    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> PeerAdvertisement? {
        guard !bytes.isEmpty else { return nil }
        var reader = BinaryReader(bytes)
        let format = try reader.readUInt8()
        guard format >= 1 else { throw .invalidValue(offset: 0, detail: "peer advertisement format 0") }
        let fleetVersionRead = try reader.readUInt8()
        guard format >= 2 else {
            try reader.expectEnd()
            return PeerAdvertisement(fleetVersionRead: fleetVersionRead, identity: .none)
        }
        let kindOffset = reader.offset
        let kind = try reader.readUInt8()
        let value = try reader.readUInt64()
        let identity: ClusterIdentity
        switch (kind, value) {
        case (0, 0): identity = .none
        case (1, 0): identity = .joining
        case (2, 1...): identity = .id(value)
        default: throw .invalidValue(offset: kindOffset, detail: "cluster identity kind \(kind) with id \(value)")
        }
        if format == Self.format { try reader.expectEnd() }
        return PeerAdvertisement(fleetVersionRead: fleetVersionRead, identity: identity)
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

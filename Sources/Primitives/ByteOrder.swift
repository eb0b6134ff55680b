/// The order of an integer's bytes in an encoding, chosen when a `BinaryWriter` or
/// `BinaryReader` is made: most significant first (the wire formats: frames, peer messages, log
/// commands, agent reports) or least significant first (the on-disk formats of Storage).
public enum ByteOrder: Sendable, Equatable {
    case bigEndian
    case littleEndian
}

/// What a password digest or signing key must look like to be stored, and to decode: the
/// state refuses others, and the codec refuses their bytes (`FleetCodec`).
extension PasswordDigest {
    /// scrypt's N = 2^costLog2: 2^10 to 2^20 (the hasher uses 2^15).
    public static let costLog2Range: ClosedRange<UInt8> = 10...20
    public static let blockSizeRange: ClosedRange<UInt32> = 1...32
    public static let parallelismRange: ClosedRange<UInt32> = 1...16

    public var isWellFormed: Bool {
        Self.costLog2Range.contains(costLog2) && Self.blockSizeRange.contains(blockSize)
            && Self.costFits(costLog2: costLog2, blockSize: blockSize)
            && Self.parallelismRange.contains(parallelism) && salt.count == Self.saltBytes && hash.count == Self.hashBytes
    }

    /// scrypt requires N < 2^(16 r) (RFC 7914); within the ranges only r = 1 with N = 2^16 or
    /// more breaks it.
    public static func costFits(costLog2: UInt8, blockSize: UInt32) -> Bool {
        UInt64(costLog2) < 16 * UInt64(blockSize)
    }
}

extension SigningKeyRecord {
    public var isWellFormed: Bool { id.count == Self.idBytes && secret.count == Self.secretBytes }
}

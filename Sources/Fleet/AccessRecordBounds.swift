/// What a password digest or signing key must look like to be stored, and to decode: the
/// state refuses others, and the codec refuses their bytes (`FleetCodec`).
extension PasswordDigest {
    /// scrypt's N = 2^costLog2: 2^10 to 2^20 (the hasher uses 2^15).
    public static let costLog2Range: ClosedRange<UInt8> = 10...20
    public static let blockSizeRange: ClosedRange<UInt32> = 1...32
    public static let parallelismRange: ClosedRange<UInt32> = 1...16

    public var isWellFormed: Bool {
        Self.costLog2Range.contains(costLog2) && Self.blockSizeRange.contains(blockSize)
            && Self.parallelismRange.contains(parallelism) && salt.count == Self.saltBytes && hash.count == Self.hashBytes
    }
}

extension SigningKeyRecord {
    public var isWellFormed: Bool { id.count == Self.idBytes && secret.count == Self.secretBytes }
}

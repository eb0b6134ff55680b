/// Integer ratios without overflow or floating point: the products are formed in 128 bits.
enum ScaledRatio {
    /// `numerator / denominator`, rounded half up; nil when `denominator` is zero.
    /// Saturates at `UInt64.max`.
    static func rounded(_ numerator: UInt128, over denominator: UInt128) -> UInt64? {
        guard denominator > 0 else { return nil }
        let quotient = numerator / denominator
        let remainder = numerator % denominator
        let rounded = remainder >= denominator - remainder ? quotient + 1 : quotient
        return rounded > UInt128(UInt64.max) ? UInt64.max : UInt64(rounded)
    }
}

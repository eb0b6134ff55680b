/// The bounds of a `Report`, enforced by both the encoder (so an agent never sends what the
/// leader refuses) and the decoder (so hostile bytes cannot make it allocate).
public enum ReportLimits {
    /// 15 minutes of samples at one per second: the longest disconnect that loses nothing.
    public static let samplesMaximum = 900
    public static let modulesPerSampleMaximum = 32
    /// Distinct module names in one report (a module can be replaced mid-report).
    public static let moduleNamesMaximum = 64
    public static let moduleNameBytesMaximum = 64
    /// The largest encoding accepted. A report at every other limit with every number at its
    /// widest is 643,194 bytes (asserted by the tests), so this is never the binding limit
    /// for a valid report, and it leaves room under `FrameCodec.frameSizeMaximumBytesDefault`.
    public static let encodedBytesMaximum = 768 << 10
}

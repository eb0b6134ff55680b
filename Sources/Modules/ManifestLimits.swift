/// The bounds of a manifest (Docs/MODULES.md, "Limits"): small enough that a manifest is read
/// whole into memory and shown in one screen, large enough for any real start line.
public enum ManifestLimits {
    /// The manifest file itself.
    public static let bytesMaximum = 64 << 10
    public static let nameBytesMaximum = 63
    public static let versionBytesMaximum = 64
    public static let commandBytesMaximum = 1_024
    public static let argumentCountMaximum = 64
    public static let argumentBytesMaximum = 4_096
    public static let environmentCountMaximum = 64
    public static let environmentNameBytesMaximum = 128
    public static let environmentValueBytesMaximum = 4_096
    public static let healthPathBytesMaximum = 1_024
    public static let cpuMillicoresRange = 1...1_024_000
    public static let memoryMegabytesRange = 1...4_194_304
    public static let portRange = 1...65_535
}

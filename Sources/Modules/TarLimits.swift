/// The bounds an archive must keep (Docs/MODULES.md, "Limits"). Each is checked as the bytes
/// arrive, so an archive over one is refused before more than a block past it is read.
public struct TarLimits: Equatable, Sendable {
    /// Entries of every kind (files, directories, links); pax and GNU long-name headers are not counted.
    public var entryCountMaximum: Int
    /// The sum of the regular files' sizes.
    public var unpackedBytesMaximum: Int64
    /// A path's bytes after `./` and a trailing `/` are taken off.
    public var pathBytesMaximum: Int
    /// One component of a path (Linux's `NAME_MAX`).
    public var componentBytesMaximum: Int
    /// The components of one path: each costs a table lookup and a directory opened per entry.
    public var componentCountMaximum: Int
    /// A pax extended header's or GNU long name's own data.
    public var extendedHeaderBytesMaximum: Int

    public init(entryCountMaximum: Int = 10_000, unpackedBytesMaximum: Int64 = 1 << 30, pathBytesMaximum: Int = 1_024,
                componentBytesMaximum: Int = 255, componentCountMaximum: Int = 64, extendedHeaderBytesMaximum: Int = 64 << 10) {
        self.entryCountMaximum = entryCountMaximum
        self.unpackedBytesMaximum = unpackedBytesMaximum
        self.pathBytesMaximum = pathBytesMaximum
        self.componentBytesMaximum = componentBytesMaximum
        self.componentCountMaximum = componentCountMaximum
        self.extendedHeaderBytesMaximum = extendedHeaderBytesMaximum
    }
}

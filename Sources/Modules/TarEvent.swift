/// What `TarReader` yields as bytes arrive, in archive order.
public enum TarEvent: Equatable, Sendable {
    /// A checked entry; a file's contents follow as `data` events, exactly its size in all.
    case entry(TarEntry)
    /// A piece of the current file's contents.
    case data([UInt8])
    /// The end-of-archive marker: nothing but zero padding may follow.
    case end
}

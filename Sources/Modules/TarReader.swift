/// An incremental tar reader: a pure state machine fed byte chunks of any size, yielding
/// checked entries and file contents (`TarEvent`) and refusing, with a `TarRefusal`, anything a
/// module archive may not hold (Docs/MODULES.md). Accepts ustar headers, pax extended headers
/// (`path`, `linkpath`, `size`) and GNU long names. Memory is bounded: one header block, one
/// extended header (`TarLimits.extendedHeaderBytesMaximum`) and the table of paths
/// (`TarLimits.entryCountMaximum`); file contents pass through in the caller's chunk sizes.
public struct TarReader {
    enum Content { case file, pax, longName, longLink }
    enum State {
        case header
        /// Inside an entry's data: bytes left, then padding to the block.
        case data(Content, remaining: Int64, padding: Int)
        /// One zero block seen; a second ends the archive.
        case oneZeroBlock
        case ended
    }

    public let limits: TarLimits
    var state = State.header
    var block: [UInt8] = []
    var extended: [UInt8] = []
    var pending = PaxRecords()
    var paths: EntryPaths
    var entryIndex = 0
    var unpackedBytes: Int64 = 0
    var trailingZeroBytes = 0

    /// Zeros accepted after the end marker: tar pads its output to a whole record (10 KiB by
    /// default, larger with `-b`); more is no archive's padding, only work.
    public static let trailingZeroBytesMaximum = 1 << 20

    public init(limits: TarLimits = TarLimits()) {
        self.limits = limits
        paths = EntryPaths(limits: limits)
        block.reserveCapacity(TarHeader.blockSize)
    }

    /// Whether the end-of-archive marker has been read.
    public var isEnded: Bool { if case .ended = state { true } else { false } }

    /// Reads `bytes`, returning what they complete. After a refusal the reader must not be fed again.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(TarRefusal) -> [TarEvent] {
        var events: [TarEvent] = []
        var rest = bytes
        while !rest.isEmpty {
            switch state {
            case .ended:
                guard rest.allSatisfy({ $0 == 0 }) else { throw .dataAfterEnd }
                trailingZeroBytes += rest.count
                guard trailingZeroBytes <= Self.trailingZeroBytesMaximum else {
                    throw .zerosAfterEnd(maximum: Self.trailingZeroBytesMaximum)
                }
                rest = rest[rest.endIndex...]
            case let .data(content, remaining, padding):
                rest = try consumeData(rest, content: content, remaining: remaining, padding: padding, into: &events)
            case .header, .oneZeroBlock:
                let take = min(TarHeader.blockSize - block.count, rest.count)
                block.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                if block.count == TarHeader.blockSize {
                    try headerBlock(into: &events)
                    block.removeAll(keepingCapacity: true)
                }
            }
        }
        return events
    }

    /// Checks that the archive ended with its marker (call when the input is exhausted).
    public func finish() throws(TarRefusal) {
        guard isEnded else { throw .truncated }
    }

    private mutating func consumeData(_ bytes: ArraySlice<UInt8>, content: Content, remaining: Int64, padding: Int,
                                      into events: inout [TarEvent]) throws(TarRefusal) -> ArraySlice<UInt8> {
        if remaining > 0 {
            let take = Int(min(Int64(bytes.count), remaining))
            let piece = bytes.prefix(take)
            switch content {
            case .file: events.append(.data(Array(piece)))
            case .pax, .longName, .longLink: extended.append(contentsOf: piece)
            }
            state = .data(content, remaining: remaining - Int64(take), padding: padding)
            if remaining - Int64(take) == 0, padding == 0 { try endData(content) }
            return bytes.dropFirst(take)
        }
        let take = min(bytes.count, padding)
        state = .data(content, remaining: 0, padding: padding - take)
        if padding - take == 0 { try endData(content) }
        return bytes.dropFirst(take)
    }

    mutating func endData(_ content: Content) throws(TarRefusal) {
        state = .header
        switch content {
        case .file: return
        case .pax: try pending.apply(pax: extended)
        case .longName: pending.path = PaxRecords.longName(extended)
        case .longLink: pending.linkPath = PaxRecords.longName(extended)
        }
        extended.removeAll()
    }

    private mutating func headerBlock(into events: inout [TarEvent]) throws(TarRefusal) {
        if TarHeader.isZero(block[...]) {
            if case .oneZeroBlock = state {
                guard pending.isEmpty else { throw .extendedHeader(reason: "an extended header with no entry after it") }
                state = .ended
                events.append(.end)
            } else {
                state = .oneZeroBlock
            }
            return
        }
        guard case .header = state else { throw .badChecksum(entryIndex: entryIndex) }
        let header = try TarHeader.parse(block[...], index: entryIndex)
        try entry(header, into: &events)
    }
}

@testable import Modules

/// Archives built block by block, so tests can write what no well-behaved tar would.
enum TarFixtures {
    /// One raw header (any type, name and link) followed by `data` and its padding.
    static func raw(_ name: String, type: Character, data: [UInt8] = [], link: String = "", mode: UInt32 = 0o644) -> [UInt8] {
        TarWriter.block(name: Array(name.utf8), prefix: [], mode: mode, size: Int64(data.count), type: type.asciiValue!,
                        link: Array(link.utf8)) + data + TarWriter.padding(afterFileOf: Int64(data.count))
    }

    static func file(_ path: String, _ text: String, executable: Bool = false) -> [UInt8] {
        let data = Array(text.utf8)
        return TarWriter.header(for: TarEntry(path: path, kind: .file(size: Int64(data.count), executable: executable)))
            + data + TarWriter.padding(afterFileOf: Int64(data.count))
    }

    static func pax(_ records: [(String, String)]) -> [UInt8] {
        raw("././@PaxHeader", type: "x", data: records.flatMap { TarWriter.paxRecord(key: $0.0, value: Array($0.1.utf8)) })
    }

    static let manifest = ModuleManifest(name: "web", version: "1.0.0", start: .init(command: "bin/web"))

    static func archive(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } + TarWriter.end }

    /// Every event of `bytes` fed in pieces of `size`, data pieces joined per entry.
    static func events(_ bytes: [UInt8], pieceSize: Int, limits: TarLimits = TarLimits()) throws(TarRefusal) -> [TarEvent] {
        var reader = TarReader(limits: limits)
        var events: [TarEvent] = []
        var offset = 0
        while offset < bytes.count {
            let piece = bytes[offset..<min(offset + pieceSize, bytes.count)]
            for event in try reader.feed(piece) {
                if case let .data(more) = event, case let .data(earlier)? = events.last {
                    events[events.count - 1] = .data(earlier + more)
                } else {
                    events.append(event)
                }
            }
            offset += pieceSize
        }
        try reader.finish()
        return events
    }

    static func refusal(_ bytes: [UInt8], limits: TarLimits = TarLimits()) -> TarRefusal? {
        do {
            _ = try events(bytes, pieceSize: 4_096, limits: limits)
            return nil
        } catch {
            return error
        }
    }
}

// libFuzzer entry point for the module artifact format, linked with the fuzzer-instrumented
// Modules module and the modules it imports (Scripts/fuzz builds each module once).
// The first input byte picks the decoder (even: the tar stream of a module archive, odd: the
// manifest) and seeds the piece sizes; the rest is the input. A trap crashes, and so does a
// broken property: the tar stream read in pieces gives the same entries, contents and outcome as
// read whole, within the limits and with only safe paths and links (checked on bytes, as the
// kernel splits them); a manifest that decodes encodes to text that decodes to the same manifest
// and encodes the same way again.

import Modules

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let selector = input.first else { return 0 }
    let payload = Array(input.dropFirst())
    if selector % 2 == 0 {
        checkArchive(payload, seed: selector)
    } else {
        checkManifest(payload)
    }
    return 0
}

private let limits = TarLimits(entryCountMaximum: 64, unpackedBytesMaximum: 1 << 20, pathBytesMaximum: 200)

/// Events with a file's data pieces joined, and how the stream ended.
private struct Outcome: Equatable {
    var events: [TarEvent] = []
    var ending: String = ""
}

private func read(_ bytes: [UInt8], pieceSizes: inout [Int]) -> Outcome {
    var reader = ModuleArchiveReader(limits: limits)
    var outcome = Outcome()
    var offset = 0
    var turn = 0
    do {
        while offset < bytes.count {
            let size = pieceSizes.isEmpty ? bytes.count : pieceSizes[turn % pieceSizes.count]
            turn += 1
            for event in try reader.feed(bytes[offset..<min(offset + size, bytes.count)]) {
                if case let .data(more) = event, case let .data(earlier)? = outcome.events.last {
                    outcome.events[outcome.events.count - 1] = .data(earlier + more)
                } else {
                    outcome.events.append(event)
                }
            }
            offset += size
        }
        outcome.ending = "manifest \(try reader.finish())"
    } catch {
        outcome.ending = "refused \(error)"
    }
    return outcome
}

private func checkArchive(_ bytes: [UInt8], seed: UInt8) {
    var whole: [Int] = []
    var pieces = (0..<8).map { Int((UInt32(seed) &* 2_654_435_761 >> ($0 * 3)) % 700) + 1 }
    let once = read(bytes, pieceSizes: &whole)
    let inPieces = read(bytes, pieceSizes: &pieces)
    // A refused feed returns no events, so after a refusal only the refusal itself must agree.
    precondition(inPieces.ending == once.ending, "pieces and the whole end differently")
    precondition(once.ending.hasPrefix("refused") || inPieces.events == once.events, "pieces and the whole read differently")
    var entries = 0
    var fileBytes: Int64 = 0
    for case let .entry(entry) in inPieces.events {
        entries += 1
        checkSafe(entry)
        if case let .file(size, _) = entry.kind { fileBytes += size }
    }
    precondition(entries <= limits.entryCountMaximum, "more entries than the limit were yielded")
    precondition(fileBytes <= limits.unpackedBytesMaximum, "more file bytes than the limit were yielded")
}

private func checkManifest(_ bytes: [UInt8]) {
    let manifest: ModuleManifest
    do {
        manifest = try ModuleManifest.decode(bytes)
    } catch {
        return
    }
    let encoded = manifest.encoded()
    let again: ModuleManifest
    do {
        again = try ModuleManifest.decode(encoded)
    } catch {
        preconditionFailure("a decoded manifest does not decode after encoding: \(error)")
    }
    precondition(again == manifest, "a manifest changed in a round trip")
    precondition(again.encoded() == encoded, "a manifest encodes two ways")
}

/// The path's bytes (split on '/', as the kernel does) name something inside the module
/// directory, and a link's target, resolved lexically from the link's directory, never climbs
/// above it.
private func checkSafe(_ entry: TarEntry) {
    let slash = UInt8(ascii: "/")
    let path = Array(entry.path.utf8)
    precondition(!path.isEmpty && path[0] != slash, "an empty or absolute path was yielded")
    let components = path.split(separator: slash, omittingEmptySubsequences: false)
    precondition(!components.contains { $0.isEmpty || $0.elementsEqual([0x2E]) || $0.elementsEqual([0x2E, 0x2E]) },
                 "a path with an empty, '.' or '..' component was yielded")
    guard case let .symlink(target) = entry.kind else { return }
    let bytes = Array(target.utf8)
    precondition(!bytes.isEmpty && bytes[0] != slash, "an empty or absolute link was yielded")
    var depth = components.count - 1
    for component in bytes.split(separator: slash) where !component.elementsEqual([0x2E]) {
        depth += component.elementsEqual([0x2E, 0x2E]) ? -1 : 1
        precondition(depth >= 0, "a link that climbs out of the module directory was yielded")
    }
}

// libFuzzer entry point for the write-ahead log's readers, compiled together with Sources/Storage
// into one module that links the separately built Primitives, Locking and FileSystem modules (see
// Scripts/fuzz). Random bytes rarely pass a CRC-32C, so the harness frames what the fuzzer
// writes with valid checksums and the readers' deeper rules are reached. The first input byte
// picks the mode:
// - even: one record (a type byte, then the payload). Whatever decodes must encode again to
//   exactly the frame it was read from (the on-disk format has one encoding).
// - odd: a segment of records (each a type byte, a 2-byte little-endian payload length and the
//   payload), scanned as recovery scans it. The scan must not trap; every record it accepts must
//   lie in order inside the file and encode again to exactly the bytes at its offset; and the
//   search for a later batch after damage stays inside the file.

import Primitives

private let file = "fuzz-segment"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = input.first else { return 0 }
    if selector % 2 == 0 {
        checkRecord(Array(input.dropFirst()))
    } else {
        checkSegment(Array(input.dropFirst()))
    }
    return 0
}

/// `type` and `payload` in a record frame with a correct length and checksum.
private func frame(type: UInt8, payload: ArraySlice<UInt8>) -> [UInt8] {
    let checked = [type] + payload
    var writer = BinaryWriter(byteOrder: .littleEndian)
    writer.write(UInt32(checked.count))
    writer.write(CRC32C.checksum(checked))
    writer.write(contentsOf: checked)
    return writer.bytes
}

private func encoded(_ record: WALRecord) -> [UInt8] {
    var writer = BinaryWriter(byteOrder: .littleEndian)
    do {
        try record.append(to: &writer)
    } catch {
        preconditionFailure("a decoded record does not encode: \(error)")
    }
    return writer.bytes
}

private func checkRecord(_ input: [UInt8]) {
    guard let type = input.first else { return }
    let bytes = frame(type: type, payload: input.dropFirst())
    let decoded: RecordCursor.Record
    do {
        decoded = try RecordCursor(bytes: bytes, file: file).record(at: 0)
    } catch {
        return
    }
    guard case let .valid(record, endOffset) = decoded else {
        preconditionFailure("a correctly framed record was refused as damaged")
    }
    precondition(endOffset == bytes.count, "a record ends elsewhere than its frame")
    precondition(encoded(record) == bytes, "a record has a second encoding")
}

private func checkSegment(_ input: [UInt8]) {
    var bytes: [UInt8] = []
    var offset = 0
    while offset + 3 <= input.count {
        let type = input[offset]
        let length = Int(input[offset + 1]) | Int(input[offset + 2]) << 8
        let end = min(input.count, offset + 3 + length)
        bytes += frame(type: type, payload: input[(offset + 3)..<end])
        offset = end
    }
    let scan: SegmentScan
    do {
        scan = try SegmentScan.scan(bytes, file: file, nextBatchSequence: nil)
    } catch {
        return
    }
    var previousEnd = 0
    for located in scan.records {
        let recordBytes = encoded(located.record)
        precondition(located.offset >= previousEnd, "records overlap or go backwards")
        precondition(located.offset + recordBytes.count <= bytes.count, "a record runs past the file")
        precondition(Array(bytes[located.offset..<(located.offset + recordBytes.count)]) == recordBytes,
                     "an accepted record is not the bytes at its offset")
        previousEnd = located.offset + recordBytes.count
    }
    if let damage = scan.damage, damage.laterBatchSearchOffset <= bytes.count,
       let later = SegmentScan.laterBatch(from: damage.laterBatchSearchOffset, in: bytes, ownSequence: nil) {
        precondition(later.offset >= damage.laterBatchSearchOffset && later.offset < bytes.count,
                     "a later batch was found outside the searched range")
    }
}

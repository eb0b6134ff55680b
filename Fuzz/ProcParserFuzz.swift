// libFuzzer entry point for the /proc parsers (stat, meminfo, PID/stat, PID/status), linked
// with the fuzzer-instrumented Telemetry module (Scripts/fuzz builds each module once). The
// first input byte picks the parser; the rest is the file. A trap
// or a runaway crashes, and so does a broken property: a file over the parser's size bound (the
// high bit of the first byte pads it past) is refused, and the same text parses to the same
// result whether given as text or as bytes.

import Telemetry

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let selector = input.first else { return 0 }
    let body = Array(input.dropFirst())
    // With the high bit set the file is padded past its bound, which -max_len alone reaches only for
    // the smallest one, so the size refusal of every parser is exercised.
    let bytes = selector & 0x80 == 0 ? body : paddedPastBound(body, of: ProcFile.allCases[Int(selector % 4)])
    switch selector % 4 {
    case 0: check(bytes, of: .stat, parseBytes: ProcStat.parse, parseText: ProcStat.parse)
    case 1: check(bytes, of: .meminfo, parseBytes: MemInfo.parse, parseText: MemInfo.parse)
    case 2: check(bytes, of: .processStat, parseBytes: ProcessStat.parse, parseText: ProcessStat.parse)
    default: check(bytes, of: .processStatus, parseBytes: ProcessStatus.parse, parseText: ProcessStatus.parse)
    }
    return 0
}

private func paddedPastBound(_ body: [UInt8], of file: ProcFile) -> [UInt8] {
    body + [UInt8](repeating: UInt8(ascii: "7"), count: file.sizeMaximumBytes + 1)
}

private func check<Value: Equatable>(_ bytes: [UInt8], of file: ProcFile, parseBytes: ([UInt8]) throws(ProcParseError) -> Value,
                                     parseText: (String) throws(ProcParseError) -> Value) {
    let fromBytes = Result { () throws(ProcParseError) in try parseBytes(bytes) }
    if bytes.count > file.sizeMaximumBytes {
        let refusal = ProcParseError.tooLarge(file: file, bytes: bytes.count, maximumBytes: file.sizeMaximumBytes)
        guard case let .failure(error) = fromBytes, error == refusal else {
            preconditionFailure("a file over the size bound was not refused as too large")
        }
    }
    guard let text = String(validating: bytes, as: UTF8.self) else { return }
    let fromText = Result { () throws(ProcParseError) in try parseText(text) }
    switch (fromBytes, fromText) {
    case let (.success(a), .success(b)):
        precondition(a == b, "text and bytes parse to different values")
    case let (.failure(a), .failure(b)):
        precondition("\(a)" == "\(b)", "text and bytes fail differently")
    default:
        preconditionFailure("text and bytes disagree on whether the file parses")
    }
}

// libFuzzer entry point for a module's install record on a host (Docs/MODULES.md, "Installing on a
// host"), linked with the fuzzer-instrumented HostInstall module and the modules it imports
// (Scripts/fuzz builds each module once). The input is the record's bytes
// (the state file's payload). A trap crashes, and so does a broken property: whatever decodes
// encodes to the very bytes it came from (the encoding is canonical), and a core made from it
// answers a restart without trapping, every record it persists decoding to itself.

import HostInstall

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let payload = Array(UnsafeBufferPointer(start: data, count: size))
    checkRoundTrip(payload, canonical: true, decode: InstallRecordCodec.decode, encode: InstallRecordCodec.encode)
    let record: InstallRecord
    do { record = try InstallRecordCodec.decode(payload) } catch { return 0 }
    var core = InstallCore(record: record)
    for case let .persist(persisted) in core.handle(.restarted) {
        do {
            let again = try InstallRecordCodec.decode(InstallRecordCodec.encode(persisted))
            precondition(again == persisted, "a persisted record changed")
        } catch {
            preconditionFailure("a persisted record does not decode: \(error)")
        }
    }
    return 0
}

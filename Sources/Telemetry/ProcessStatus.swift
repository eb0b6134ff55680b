/// What the agent needs from `/proc/PID/status`: `VmRSS` (anonymous + file + shared-memory
/// resident pages, `RssAnon + RssFile + RssShmem`) in bytes. The kernel omits it for kernel
/// threads and zombies, which have no address space; that is `residentBytes == nil`, not an
/// error. A file cut short before the memory lines is an error: the absence only counts when
/// the `Threads:` line, which the kernel writes after them, is there.
public struct ProcessStatus: Equatable, Sendable {
    public var residentBytes: UInt64?

    public init(residentBytes: UInt64?) {
        self.residentBytes = residentBytes
    }

    private static let residentKey = Array("VmRSS:".utf8)
    private static let afterMemoryKey = Array("Threads:".utf8)

    public static func parse(_ text: String) throws(ProcParseError) -> ProcessStatus {
        try parse(ProcText.bytes(of: text, file: .processStatus))
    }

    public static func parse(_ bytes: [UInt8]) throws(ProcParseError) -> ProcessStatus {
        try ProcText.checkSize(bytes.count, of: .processStatus)
        let lines = ProcText.lines(bytes[...])
        guard lines.first?.starts(with: "Name:".utf8) == true else {
            throw .malformed(file: .processStatus, detail: "the first line is not 'Name:'")
        }
        guard let line = lines.first(where: { $0.starts(with: residentKey) }) else {
            guard lines.contains(where: { $0.starts(with: afterMemoryKey) }) else {
                throw .missingLine(file: .processStatus, key: "VmRSS")
            }
            return ProcessStatus(residentBytes: nil)
        }
        let fields = ProcText.fields(line.dropFirst(residentKey.count))
        guard let number = fields.first else { throw .missingField(file: .processStatus, field: "VmRSS") }
        let kibibytes = try ProcText.decimal(number, file: .processStatus, field: "VmRSS")
        guard fields.count == 2, fields.last?.elementsEqual("kB".utf8) == true else {
            throw .malformed(file: .processStatus, detail: "'VmRSS' is not followed by a value in kB")
        }
        return ProcessStatus(residentBytes: try ProcText.bytes(fromKibibytes: kibibytes, file: .processStatus, field: "VmRSS"))
    }
}

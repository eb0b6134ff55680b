/// What the agent needs from `/proc/PID/stat` (`proc(5)`): identity, CPU time and resident
/// pages of one process. `comm` may contain spaces and parentheses, so it runs from the first
/// `(` to the last `)`; the numbered fields are counted after that.
public struct ProcessStat: Equatable, Sendable {
    public var pid: UInt32
    /// The executable name the kernel reports (at most 15 bytes for user processes), decoded
    /// leniently: a process can set any bytes as its name.
    public var comm: String
    /// One letter: `R` running, `S` sleeping, `D` disk sleep, `Z` zombie, `T` stopped, ...
    public var state: Character
    /// Field 4: the parent's pid (1, or a subreaper, once the parent has died).
    public var parentPid: UInt32
    /// Field 5: the process group; a supervised module leads its own (`processGroup == pid`).
    public var processGroup: UInt32
    /// Field 14: time scheduled in user mode, in clock ticks (`CLK_TCK`).
    public var userTicks: UInt64
    /// Field 15: time scheduled in kernel mode, in clock ticks.
    public var systemTicks: UInt64
    /// Field 22: when the process started, in clock ticks after boot; with `pid` it tells a
    /// restarted process from the one measured before.
    public var startTicks: UInt64
    /// Field 24: resident set size in pages.
    public var residentPages: UInt64

    public init(pid: UInt32, comm: String, state: Character, userTicks: UInt64, systemTicks: UInt64,
                startTicks: UInt64, residentPages: UInt64, parentPid: UInt32 = 0, processGroup: UInt32 = 0) {
        self.pid = pid
        self.comm = comm
        self.state = state
        self.parentPid = parentPid
        self.processGroup = processGroup
        self.userTicks = userTicks
        self.systemTicks = systemTicks
        self.startTicks = startTicks
        self.residentPages = residentPages
    }

    /// User plus system ticks; saturates at `UInt64.max` (which no real process reaches).
    public var cpuTicks: UInt64 {
        let (sum, overflow) = userTicks.addingReportingOverflow(systemTicks)
        return overflow ? UInt64.max : sum
    }

    /// `residentPages × pageSizeBytes`, or nil if the product does not fit 64 bits.
    public func residentBytes(pageSizeBytes: UInt64) -> UInt64? {
        let (product, overflow) = residentPages.multipliedReportingOverflow(by: pageSizeBytes)
        return overflow ? nil : product
    }

    /// Fields after `comm`, numbered as in `proc(5)`; the list after `)` starts at field 3.
    private static let firstFieldAfterComm = 3
    private static let fieldNames = [4: "ppid", 5: "pgrp", 14: "utime", 15: "stime", 22: "starttime", 24: "rss"]

    public static func parse(_ text: String) throws(ProcParseError) -> ProcessStat {
        try parse(ProcText.bytes(of: text, file: .processStat))
    }

    public static func parse(_ bytes: [UInt8]) throws(ProcParseError) -> ProcessStat {
        try ProcText.checkSize(bytes.count, of: .processStat)
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close else {
            throw .malformed(file: .processStat, detail: "no '(comm)' after the pid")
        }
        let pidFields = ProcText.fields(bytes[..<open])
        guard pidFields.count == 1, let pidText = pidFields.first else {
            throw .malformed(file: .processStat, detail: "the text before '(comm)' is not one pid")
        }
        guard let pid = UInt32(exactly: try ProcText.decimal(pidText, file: .processStat, field: "pid")) else {
            throw .invalidNumber(file: .processStat, field: "pid", text: ProcText.text(pidText))
        }
        let fields = ProcText.fields(bytes[(close + 1)...])
        return ProcessStat(
            pid: pid,
            comm: String(decoding: bytes[(open + 1)..<close], as: UTF8.self),
            state: try state(fields),
            userTicks: try number(14, in: fields),
            systemTicks: try number(15, in: fields),
            startTicks: try number(22, in: fields),
            residentPages: try number(24, in: fields),
            parentPid: try smallNumber(4, in: fields),
            processGroup: try smallNumber(5, in: fields)
        )
    }

    private static func state(_ fields: [ArraySlice<UInt8>]) throws(ProcParseError) -> Character {
        guard let field = fields.first else { throw .missingField(file: .processStat, field: "state") }
        guard field.count == 1, let letter = field.first,
              (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(letter) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(letter) else {
            throw .malformed(file: .processStat, detail: "state '\(ProcText.text(field))' is not one letter")
        }
        return Character(Unicode.Scalar(letter))
    }

    private static func smallNumber(_ fieldNumber: Int, in fields: [ArraySlice<UInt8>]) throws(ProcParseError) -> UInt32 {
        let value = try number(fieldNumber, in: fields)
        guard let small = UInt32(exactly: value) else {
            throw .invalidNumber(file: .processStat, field: fieldNames[fieldNumber] ?? "field \(fieldNumber)", text: "\(value)")
        }
        return small
    }

    private static func number(_ fieldNumber: Int, in fields: [ArraySlice<UInt8>]) throws(ProcParseError) -> UInt64 {
        let name = fieldNames[fieldNumber] ?? "field \(fieldNumber)"
        let position = fieldNumber - firstFieldAfterComm
        guard position < fields.count else { throw .missingField(file: .processStat, field: name) }
        return try ProcText.decimal(fields[position], file: .processStat, field: name)
    }
}

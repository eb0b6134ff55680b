/// What the sample service was started with: its port, the version it reports, and the flaw
/// it shows (none for a good version), from `--port N --version V [--flaw KIND]
/// [--flaw-after SECONDS]`.
struct SampleOptions {
    /// How a deliberately bad version degrades, measurably, once `flawAfterSeconds` passed.
    enum Flaw: String, CaseIterable {
        case none
        /// Every answer, health probes included, waits 5 ms more per second of flaw, up to 2 s.
        case latency
        /// A thread burns CPU, 3 % of a core more per second of flaw, up to 90 %.
        case cpu
        /// The process touches 8 MiB more per second of flaw, up to 512 MiB.
        case memory
    }

    static let usage = """
        usage: hotswap-sample-service --port N --version V [--flaw none|latency|cpu|memory] [--flaw-after SECONDS]
          A small HTTP service for HotSwap's demos and tests: GET /healthz answers 200 with its
          version; a version started with a flaw degrades in a way the stabilization gate measures.
        """

    var port: UInt16 = 0
    var version = ""
    var flaw = Flaw.none
    var flawAfterSeconds = 0

    /// The options in `arguments` (without the program name), or a one-line reason.
    static func parse(_ arguments: [String]) -> Result<SampleOptions, SampleOptionError> {
        var options = SampleOptions()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            if flag == "--help" || flag == "-h" { return .failure(.help) }
            guard let value = remaining.popFirst() else { return .failure(.invalid("\(flag) needs a value")) }
            switch flag {
            case "--port":
                guard let port = UInt16(value), port > 0 else { return .failure(.invalid("--port must be 1 to 65535")) }
                options.port = port
            case "--version":
                guard !value.isEmpty, value.utf8.count <= 64, value.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\"" && $0 != "\\" })
                else { return .failure(.invalid("--version must be 1 to 64 visible ASCII characters, no quotes")) }
                options.version = value
            case "--flaw":
                guard let flaw = Flaw(rawValue: value) else {
                    return .failure(.invalid("--flaw must be one of \(Flaw.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                options.flaw = flaw
            case "--flaw-after":
                guard let seconds = Int(value), (0...86_400).contains(seconds) else {
                    return .failure(.invalid("--flaw-after must be 0 to 86400 seconds"))
                }
                options.flawAfterSeconds = seconds
            default:
                return .failure(.invalid("unknown flag \(flag)"))
            }
        }
        guard options.port > 0, !options.version.isEmpty else { return .failure(.invalid("--port and --version are required")) }
        return .success(options)
    }
}

/// Why the options were not taken: help was asked for, or one of them is wrong.
enum SampleOptionError: Error {
    case help
    case invalid(String)
}

import Benchmarks
import Glibc

/// `hotswap bench module-switch`: switch and switch-back times of the sample service on this
/// host (see `BenchModuleSwitch`; method in Docs/BENCHMARKS.md, "Modules (issue H)").
enum BenchModuleSwitchCommand {
    static let serviceFlag = Flag("service", .text("PATH"), .described("hotswap-sample-service beside this hotswap"),
                                  help: "the sample service binary to pack")
    static let roundsFlag = Flag("rounds", .count(1...100), .value("5"), help: "rounds of each strategy")
    static let directoryFlag = Flag("dir", .text("DIR"), .described("a new directory under $TMPDIR"),
                                    help: "where the artifacts, versions and logs go")
    static let probeIntervalFlag = Flag("probe-interval", .duration(.milliseconds(10)...(.seconds(10))), .value("100ms"),
                                        help: "the wait between an install's health probes")
    static let successesFlag = Flag("successes", .count(1...10), .value("1"),
                                    help: "passing probes in a row before a version counts as healthy")
    static let deadlineFlag = Flag("health-deadline", .duration(.seconds(1)...(.seconds(60))), .value("3s"),
                                   help: "how long a version has to become healthy (the bad version always takes it all)")

    static let command = Command(
        "module-switch", summary: "switch and switch-back times of the sample service on this host; method in Docs/BENCHMARKS.md",
        flags: [serviceFlag, roundsFlag, directoryFlag, probeIntervalFlag, successesFlag, deadlineFlag]
    ) { options in
        let settings = BenchModuleSwitch.Settings(
            service: options.text(serviceFlag) ?? besideThisProgram("hotswap-sample-service"), rounds: try options.count(roundsFlag),
            directory: options.text(directoryFlag), probeInterval: try options.duration(probeIntervalFlag),
            successesNeeded: try options.count(successesFlag), healthDeadline: try options.duration(deadlineFlag))
        return try BenchModuleSwitch.run(settings)
    }

    /// `name` in the directory of the running hotswap binary.
    static func besideThisProgram(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard count > 0 else { return name }
        let path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return name }
        return String(path[...slash]) + name
    }
}

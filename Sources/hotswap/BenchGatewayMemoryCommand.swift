import Benchmarks
import Coordinator

/// `hotswap bench gateway-memory`: the resident memory of the leader's per-node tables at
/// their bounds, per entry (see `BenchGatewayMemory`; figures in Docs/GATEWAY.md).
enum BenchGatewayMemoryCommand {
    static let nodesFlag = Flag("nodes", .count(1...CoordinatorConfiguration.agentNodesLimit), .value("1000"),
                                help: "entries to fill each table with")
    static let modulesFlag = Flag("modules", .count(0...32), .value("32"),
                                  help: "modules in each sample")
    static let nameBytesFlag = Flag("module-name-bytes", .count(1...64), .value("64"),
                                    help: "bytes of each module name; up to 15 are stored inline")

    static let command = Command(
        "gateway-memory", summary: "resident memory of the leader's node tables at their bounds, per entry",
        flags: [nodesFlag, modulesFlag, nameBytesFlag]
    ) { options in
        try BenchGatewayMemory.run(BenchGatewayMemory.Settings(
            nodes: try options.count(nodesFlag), modules: try options.count(modulesFlag),
            moduleNameBytes: try options.count(nameBytesFlag)))
    }
}

import HostInstall
import Primitives
import Telemetry
import TestSupport
import Testing

/// Module orders and install results inside agent commands and command results.
@Suite struct ModuleOrderCodecTests {
    static let artifact = OrderedArtifact(sha256: Array(repeating: 7, count: 32), size: 4_096,
                                          signature: Array(repeating: 9, count: 64), trustedKeys: [Array(repeating: 1, count: 32)])

    static func order(_ kind: OperationID.Kind, artifact: OrderedArtifact?) -> ModuleOrder {
        let operation = OperationID(deploymentID: "dep-1", wave: 2, attempt: 1, kind: kind)
        return ModuleOrder(module: "sample-service", command: InstallCommand(operation: operation, term: 5, sequence: 3,
                                                                            strategy: .blueGreen), artifact: artifact)
    }

    @Test func ordersAndResultsDecodeToThemselves() throws {
        let orders = [Self.order(.install(version: "2.0.0"), artifact: Self.artifact),
                      Self.order(.install(version: "2.0.0"), artifact: OrderedArtifact(sha256: Array(repeating: 3, count: 32), size: 1)),
                      Self.order(.switchBack(from: "2.0.0"), artifact: nil)]
        for order in orders {
            let command = AgentCommand(leaderTerm: 5, commandID: 11, action: .module(order))
            #expect(try AgentSessionCodec.decodeCommand(AgentSessionCodec.encode(command)) == command)
        }
        let install = InstallResult(operation: orders[0].command.operation, outcome: .failed,
                                    active: ActiveVersion(version: "1.0.0", port: 8080), reason: "probe failed")
        for result in [AgentCommandResult(commandID: 11, accepted: true, detail: "installed", install: install),
                       AgentCommandResult(commandID: 12, accepted: false, detail: "refused")] {
            #expect(try AgentSessionCodec.decodeCommandResult(AgentSessionCodec.encode(result)) == result)
        }
    }

    @Test func malformedOrdersAreRefused() {
        let malformed = [Self.order(.install(version: "2.0.0"), artifact: nil),
                         Self.order(.switchBack(from: "2.0.0"), artifact: Self.artifact),
                         Self.order(.install(version: "2.0.0"), artifact: OrderedArtifact(sha256: Array(repeating: 3, count: 32), size: 0)),
                         ModuleOrder(module: "Bad Name", command: Self.order(.switchBack(from: "1"), artifact: nil).command,
                                     artifact: nil)]
        for order in malformed {
            #expect(order.refusal() != nil)
            let bytes = AgentSessionCodec.encode(AgentCommand(leaderTerm: 5, commandID: 1, action: .module(order)))
            #expect(throws: BinaryDecodingError.self) { try AgentSessionCodec.decodeCommand(bytes) }
        }
        var tooManyKeys = Self.artifact
        tooManyKeys.trustedKeys = Array(repeating: Array(repeating: 1, count: 32), count: OrderedArtifact.trustedKeysMaximum + 1)
        #expect(tooManyKeys.refusal() != nil)
    }

    @Test func truncatedOrdersAndResultsAreRefused() {
        let command = AgentCommand(leaderTerm: 5, commandID: 11, action: .module(Self.order(.install(version: "2.0.0"),
                                                                                            artifact: Self.artifact)))
        expectEveryShorterPrefixTruncated(AgentSessionCodec.encode(command), AgentSessionCodec.decodeCommand)
        let result = AgentSessionCodec.encode(AgentCommandResult(commandID: 1, accepted: true, detail: "", install: nil))
        #expect(throws: BinaryDecodingError.self) { try AgentSessionCodec.decodeCommandResult(result + [0]) }
    }
}

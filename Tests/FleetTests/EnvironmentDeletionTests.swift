import Fleet
import Testing

/// Deleting an environment (`deleteUnusedEnvironment`, the API's DELETE) is refused while a node
/// is recorded in it, the same way on every replica: the refusal depends only on the replicated
/// state. A `deleteEnvironment` entry written before that rule deletes whatever nodes name the
/// environment, on every build that replays it: what an entry does depends on the entry alone.
struct EnvironmentDeletionTests {
    /// `deleteEnvironment(name: "qa")` as version 3 builds wrote it.
    static let pinnedDeleteVersion3: [UInt8] = [0x03, 0x02, 0x00, 0x00, 0x00, 0x02, 0x71, 0x61]

    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        /// Node id → environment, stored before the deletion.
        let nodes: [String: String]
        let deleting: String
        let expected: FleetOutcome
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "empty environment", nodes: [:], deleting: "qa", expected: .environmentDeleted(name: "qa")),
        Case(label: "nodes only elsewhere", nodes: ["web-1": "production", "web-2": "staging"], deleting: "qa",
             expected: .environmentDeleted(name: "qa")),
        Case(label: "one node", nodes: ["web-1": "qa"], deleting: "qa",
             expected: .rejected(.environmentInUse("qa", nodes: 1, example: "web-1"))),
        Case(label: "several nodes name the first by id", nodes: ["web-3": "qa", "web-1": "qa", "db-9": "production"],
             deleting: "qa", expected: .rejected(.environmentInUse("qa", nodes: 2, example: "web-1"))),
        Case(label: "missing environment", nodes: ["web-1": "qa"], deleting: "edge", expected: .rejected(.notFound("edge"))),
        Case(label: "built-in environment is deletable when empty", nodes: [:], deleting: "production",
             expected: .environmentDeleted(name: "production")),
    ]

    @Test(arguments: cases)
    func deletionIsDecidedByTheNodesRecorded(_ example: Case) {
        var state = FleetState()
        var index: UInt64 = 0
        for (id, environment) in example.nodes.sorted(by: { $0.key < $1.key }) {
            index += 1
            state.apply(.putNode(NodeRecord(id: id, environment: environment)), at: index)
        }
        let before = state.environments
        #expect(state.apply(.deleteUnusedEnvironment(name: example.deleting), at: index + 1) == example.expected)
        if case .rejected = example.expected {
            #expect(state.environments == before, "a refused deletion changes nothing")
        } else {
            #expect(state.environments[example.deleting] == nil)
        }
    }

    @Test func theRefusalSaysWhatToDo() {
        #expect(FleetRejection.environmentInUse("qa", nodes: 1, example: "web-1").description
                == "environment 'qa' still has 1 node (web-1); move or remove them first")
        #expect(FleetRejection.environmentInUse("qa", nodes: 3, example: "web-1").description
                == "environment 'qa' still has 3 nodes (web-1, ...); move or remove them first")
    }

    @Test func deletionSucceedsOnceTheLastNodeIsRemoved() {
        var state = FleetState()
        state.apply(.putNode(NodeRecord(id: "web-1", environment: "qa")), at: 1)
        #expect(state.apply(.deleteUnusedEnvironment(name: "qa"), at: 2)
                == .rejected(.environmentInUse("qa", nodes: 1, example: "web-1")))
        state.apply(.deleteNode(id: "web-1"), at: 3)
        #expect(state.apply(.deleteUnusedEnvironment(name: "qa"), at: 4) == .environmentDeleted(name: "qa"))
    }

    @Test func aVersion3DeletionReplaysAsItAppliedWhenWritten() throws {
        var state = FleetState()
        state.apply(.putNode(NodeRecord(id: "web-1", environment: "qa")), at: 1)
        let command = try FleetCodec.decodeCommand(Self.pinnedDeleteVersion3)
        #expect(command == .deleteEnvironment(name: "qa"))
        #expect(state.apply(command, at: 2) == .environmentDeleted(name: "qa"))
        #expect(state.environments["qa"] == nil)
        #expect(state.nodes["web-1"]?.environment == "qa", "the node keeps naming the environment, as it did then")
    }

    /// The builds from before `deleteUnusedEnvironment` had its own tag wrote the refusing deletion
    /// as a version-4 entry of tag 2; replaying one must refuse again, as every replica did then.
    @Test func aVersion4DeletionOfTheBuildsBeforeItsOwnTagKeepsItsRefusal() throws {
        var state = FleetState()
        state.apply(.putNode(NodeRecord(id: "web-1", environment: "qa")), at: 1)
        let command = try FleetCodec.decodeCommand([0x04] + Self.pinnedDeleteVersion3.dropFirst())
        #expect(command == .deleteUnusedEnvironment(name: "qa"))
        #expect(state.apply(command, at: 2) == .rejected(.environmentInUse("qa", nodes: 1, example: "web-1")))
        #expect(state.environments["qa"] != nil)
    }
}

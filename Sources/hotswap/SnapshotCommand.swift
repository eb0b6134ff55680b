import Cluster
import Coordinator
import FileSystem
import Primitives
import Wire

/// `hotswap snapshot save|status|restore` (Docs/STORAGE.md, "Saved snapshots"), after etcd's
/// `snapshot save` and `etcdutl snapshot status|restore`: save the fleet state from a live
/// cluster, check a saved file, and make a new cluster's data directories from it.
enum SnapshotCommand {
    static let command = Command("snapshot", summary: "save the fleet state of a live cluster, check a saved file, restore it",
                                 subcommands: [save, status, restore])

    static let save = Command(
        "save", summary: "save the cluster's fleet state to FILE (admin)",
        about: """
            Asks a coordinator for its fleet state at a linearizable read point (GET /api/v1/snapshot, admins
            only), verifies the answer (length, SHA-256, and that this build decodes it) and only then writes
            FILE (mode 0600, through a temporary file, fsync and rename). FILE holds password digests,
            signing and ticket keys and webhook secrets: keep it as secret as the data directories.
            Module artifacts are not in it. --timeout bounds the whole save: once a coordinator answers, the
            save may use all the time left (a large state takes long to encode and send), so raise it for a
            large fleet rather than let a slow save be retried on another member.
            """,
        arguments: ["FILE"], flags: APIClientOptions.flags
    ) { options in
        let path = options.positionals[0]
        let client = try APIClientOptions(options)
        let response = try client.exchange("GET", "/api/v1/snapshot", patient: true,
                                           responseBodyMaximumBytes: SavedSnapshot.fileBytesMaximum).response
        guard response.head.status == 200 else { throw APIFailure(answer: response) }
        let saved = try SavedSnapshotFile.verify(response.body, path: path)
        try AtomicWrite.replace(path, with: response.body, mode: 0o600)
        print(client.wantsJSON ? json(saved) : "saved snapshot at index \(saved.snapshot.index) to \(path): "
              + "\(saved.fileBytes) bytes, sha256 \(saved.digest)")
        return 0
    }

    static let status = Command(
        "status", summary: "verify a saved snapshot and print what it holds",
        about: """
            Verifies FILE as restore does (length, SHA-256, decoded by this build) and prints its index, term,
            size, digest, fleet encoding version and how many records of each kind it holds. Exits 1 with the
            reason when FILE is damaged or truncated. Reads FILE only.
            """,
        arguments: ["FILE"], flags: [Flag.output]
    ) { options in
        let saved = try SavedSnapshotFile.read(options.positionals[0])
        print(try options.choice(.output) == "json" ? json(saved) : table(saved))
        return 0
    }

    static let dataDirectoryFlag = Flag("data-dir", .text("DIR"), .required,
                                        help: "the new member's data directory (absent or empty)")
    static let nameFlag = Flag("name", .text("NAME"), .required, help: "the new member's name, one of --initial-cluster")
    static let initialClusterFlag = Flag("initial-cluster", .text("N=HOST:PORT,..."), .required,
                                         help: "the new cluster's members and peer addresses")
    static let tokenFlag = Flag("initial-cluster-token", .text("TOKEN"), .described("none"),
                                help: "mixed into the new cluster's identity; give every member the same")

    static let restore = Command(
        "restore", summary: "make a new cluster member's data directory from a saved snapshot",
        about: """
            Verifies FILE (as status does), then writes DIR for member NAME of a new cluster of the
            --initial-cluster members: its Raft log starts from the snapshot, whose voters are those members,
            and its founding record is theirs (mode new). Run it once per member with the same FILE and
            --initial-cluster, then start each with hotswap coordinator --data-dir DIR --name NAME. The new
            cluster's identity comes from the members, the token and FILE's SHA-256: it never exchanges a
            Raft message with the cluster FILE was saved from. Refuses a NAME not in --initial-cluster and a
            DIR that is not empty before reading FILE. DIR is built beside it (DIR.restore-PID), synced and
            renamed into place at the end: when it fails or refuses, DIR is left as it was.
            """,
        arguments: ["FILE"], flags: [dataDirectoryFlag, nameFlag, initialClusterFlag, tokenFlag]
    ) { options in
        let report = try SnapshotRestore.run(file: options.positionals[0], dataDirectory: try options.required(dataDirectoryFlag),
                                             name: try options.required(nameFlag),
                                             initialCluster: try options.required(initialClusterFlag),
                                             token: options.text(tokenFlag) ?? "")
        print("restored snapshot at index \(report.index) (term \(report.term)) into \(report.dataDirectory) "
              + "for a new cluster of \(report.members), cluster id \(report.identity)")
        return 0
    }

    private static func table(_ saved: SavedSnapshotFile) -> String {
        var lines = [
            "snapshot       \(saved.path): verified",
            "index          \(saved.snapshot.index)",
            "term           \(saved.snapshot.term)",
            "size           \(saved.fileBytes) bytes",
            "sha256         \(saved.digest)",
            "fleet version  \(saved.snapshot.fleetVersion)",
        ]
        lines += saved.fleet.recordCounts.map { kind, count in kind.padding(toLength: 15) + "\(count)" }
        return lines.joined(separator: "\n")
    }

    private static func json(_ saved: SavedSnapshotFile) -> String {
        let counts = saved.fleet.recordCounts.map { "\"\($0.kind)\":\($0.count)" }.joined(separator: ",")
        return "{\"file\":\(JSONText.quoted(saved.path)),\"index\":\(saved.snapshot.index),\"term\":\(saved.snapshot.term),"
            + "\"bytes\":\(saved.fileBytes),\"sha256\":\"\(saved.digest)\",\"fleetVersion\":\(saved.snapshot.fleetVersion),"
            + "\"counts\":{\(counts)}}"
    }
}

private extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}

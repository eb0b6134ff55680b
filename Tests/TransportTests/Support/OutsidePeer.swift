import Foundation
import TestSupport

/// Runs an outside program (`openssl s_client`) as a peer of a test server:
/// feeds it `input`, waits a bounded time, returns its status and what it
/// printed (standard output, then standard error).
enum OutsidePeer {
    static func run(_ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let result = try ExternalCommand.run(arguments, input: Data(input.utf8))
        return (result.status, result.combined)
    }
}

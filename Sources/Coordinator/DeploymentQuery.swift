import Cluster
import Fleet

/// The query of `GET /api/v1/deployments`: `module`, `environment`, `state`, `limit` (1 to 200,
/// default 50) and `before` (the `next` cursor of the page before), each at most once.
enum DeploymentQuery {
    static let parameters: Set<String> = ["module", "environment", "state", "limit", "before", ReadConsistency.queryName]

    /// The listing `items` ask for, or the 400 answer naming the parameter that is wrong or given twice.
    static func listing(_ items: [(String, String)]) -> Result<DeploymentListing, HTTPReply> {
        var listing = DeploymentListing()
        var seen: Set<String> = []
        for (name, value) in items {
            guard seen.insert(name).inserted else { return .failure(invalid("parameter '\(name)' is given more than once")) }
            switch name {
            case "module", "environment":
                guard !value.isEmpty, value.utf8.count <= DeploymentRecord.textBytesMaximum else {
                    return .failure(invalid("\(name) must be 1 to \(DeploymentRecord.textBytesMaximum) bytes"))
                }
                if name == "module" { listing.module = value } else { listing.environment = value }
            case "state":
                guard let state = DeploymentState.allCases.first(where: { $0.description == value }) else {
                    return .failure(invalid("state must be one of \(DeploymentState.allCases.map(\.description).joined(separator: ", "))"))
                }
                listing.state = state
            case "limit":
                let limit = DecimalText.decimal(value).flatMap { Int(exactly: $0) }
                guard let limit, DeploymentListing.limitRange.contains(limit) else {
                    return .failure(invalid("limit must be a whole number from 1 to \(DeploymentListing.limitRange.upperBound)"))
                }
                listing.limit = limit
            case "before":
                guard let cursor = DeploymentListing.Cursor(value) else {
                    return .failure(invalid("before must be the next cursor of the previous page (MILLISECONDS.ID)"))
                }
                listing.before = cursor
            case ReadConsistency.queryName:
                continue
            default:
                return .failure(invalid("unknown parameter '\(name)': use \(parameters.sorted().joined(separator: ", "))"))
            }
        }
        return .success(listing)
    }

    private static func invalid(_ message: String) -> HTTPReply {
        .error(400, "invalid_query", message)
    }
}

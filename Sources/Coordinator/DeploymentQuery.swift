import Cluster
import Fleet

/// The query of `GET /api/v1/deployments`: `module`, `environment`, `state`, `limit` (1 to 200,
/// default 50) and `before` (the `next` cursor of the page before), and that of one deployment
/// (its page of nodes), each at most once.
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
                switch limit(value, in: DeploymentListing.limitRange) {
                case .success(let limit): listing.limit = limit
                case .failure(let reply): return .failure(reply)
                }
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

    static let nodeParameters: Set<String> = ["wave", "after", "limit", ReadConsistency.queryName]

    /// The page of nodes `GET /api/v1/deployments/{id}` is asked for (`wave`, `after`: the
    /// `nodesNext` of the page before, `limit` 1 to 200, default 50), or the 400 answer.
    static func nodes(_ items: [(String, String)]) -> Result<DeploymentNodePage, HTTPReply> {
        var page = DeploymentNodePage()
        var seen: Set<String> = []
        for (name, value) in items {
            guard seen.insert(name).inserted else { return .failure(invalid("parameter '\(name)' is given more than once")) }
            let number = DecimalText.decimal(value).flatMap { Int(exactly: $0) }
            switch name {
            case "wave":
                guard let number, number < DeploymentRecord.wavesMaximum else {
                    return .failure(invalid("wave must be a wave's index, 0 to \(DeploymentRecord.wavesMaximum - 1)"))
                }
                page.wave = number
            case "after":
                guard let number, number < FleetState.nodesMaximum else {
                    return .failure(invalid("after must be the nodesNext cursor of the previous page"))
                }
                page.after = number
            case "limit":
                switch limit(value, in: DeploymentNodePage.limitRange) {
                case .success(let limit): page.limit = limit
                case .failure(let reply): return .failure(reply)
                }
            case ReadConsistency.queryName:
                continue
            default:
                return .failure(invalid("unknown parameter '\(name)': use \(nodeParameters.sorted().joined(separator: ", "))"))
            }
        }
        return .success(page)
    }

    /// How many nodes `GET /api/v1/deployments/{id}/waves/{n}/nodes` shows (`limit`, 1 to 200,
    /// default 50), or the 400 answer.
    static func waveNodesLimit(_ items: [(String, String)]) -> Result<Int, HTTPReply> {
        var chosen: Int?
        for (name, value) in items {
            switch name {
            case "limit":
                guard chosen == nil else { return .failure(invalid("parameter 'limit' is given more than once")) }
                switch limit(value, in: DeploymentNodePage.limitRange) {
                case .success(let limit): chosen = limit
                case .failure(let reply): return .failure(reply)
                }
            case ReadConsistency.queryName:
                continue
            default:
                return .failure(invalid("unknown parameter '\(name)': use limit, \(ReadConsistency.queryName)"))
            }
        }
        return .success(chosen ?? DeploymentNodePage().limit)
    }

    /// A page's `limit`: a whole number in `range`, or the 400 answer saying so.
    private static func limit(_ value: String, in range: ClosedRange<Int>) -> Result<Int, HTTPReply> {
        guard let number = DecimalText.decimal(value).flatMap({ Int(exactly: $0) }), range.contains(number) else {
            return .failure(invalid("limit must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
        }
        return .success(number)
    }

    private static func invalid(_ message: String) -> HTTPReply {
        .error(400, "invalid_query", message)
    }
}

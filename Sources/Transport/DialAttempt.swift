import Primitives

/// The addresses one dial of a `FrameLink` goes through, in order, before the link backs off:
/// as Go's dialer (and so etcd) tries every address of one resolution within one dial, so a name
/// whose first address refuses (`localhost` giving `::1` to a server on `127.0.0.1` only) costs
/// no backoff. It starts at the link's turn (the address that last answered, or the one after
/// those that did not) and takes at most `maximum` addresses; the next dial starts past them.
struct DialAttempt {
    private var untried: [SocketAddress]

    /// Nothing left to try: the link backs off.
    static let finished = DialAttempt(untried: [])

    private init(untried: [SocketAddress]) {
        self.untried = untried
    }

    /// `addresses` without repeats (in order), from the `turn`-th (modulo how many there are),
    /// wrapping round, at most `maximum`.
    init(addresses: [SocketAddress], startingAt turn: Int, maximum: Int) {
        precondition(maximum >= 1, "a dial tries at least one address")
        guard !addresses.isEmpty else {
            untried = []
            return
        }
        let distinct = Self.distinct(addresses)
        let start = (turn % distinct.count + distinct.count) % distinct.count
        untried = Array((distinct[start...] + distinct[..<start]).prefix(maximum))
    }

    /// `addresses` without repeats, in order (a resolver may answer one address twice).
    static func distinct(_ addresses: [SocketAddress]) -> [SocketAddress] {
        var distinct: [SocketAddress] = []
        for address in addresses where !distinct.contains(address) { distinct.append(address) }
        return distinct
    }

    var isFinished: Bool { untried.isEmpty }

    /// The next address to dial, or nil once every one was tried.
    mutating func next() -> SocketAddress? {
        untried.isEmpty ? nil : untried.removeFirst()
    }
}

/// "Did you mean": the known word nearest to a mistyped one (a flag, a command, a JSON field).
/// Nearness is the optimal string alignment distance (insertions, deletions, substitutions and swaps of neighbours each count
/// one); a word is offered only within distance 2 and at most half its own length, so `--ot`
/// suggests `--to` but `--xy` suggests nothing.
public enum Suggestion {
    public static let distanceMaximum = 2

    /// The candidate nearest to `word` within the bounds above (the first of equals), or nil.
    public static func nearest(to word: String, among candidates: [String]) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = self.distance(word, candidate)
            guard distance <= min(distanceMaximum, candidate.count / 2) else { continue }
            if distance < best?.distance ?? Int.max { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// The optimal string alignment distance between `a` and `b`, by characters.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        // rows[i][j]: the distance between the first i characters of a and the first j of b.
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let substitution = rows[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                }
            }
        }
        return rows[a.count][b.count]
    }
}

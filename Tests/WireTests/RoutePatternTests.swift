import Testing
@testable import Wire

@Suite struct RoutePatternTests {
    @Test func literalPatternMatchesOnlyItself() {
        let pattern = RoutePattern("/api/v1/cluster")
        #expect(pattern.match("/api/v1/cluster") == [:])
        #expect(pattern.match("/api/v1/clusters") == nil)
        #expect(pattern.match("/api/v1") == nil)
    }

    @Test func parametersCaptureWholeSegments() {
        let pattern = RoutePattern("/modules/{name}/{version}")
        #expect(pattern.match("/modules/web/1.2.0") == ["name": "web", "version": "1.2.0"])
    }

    @Test func parameterNeverMatchesAnEmptySegment() {
        let pattern = RoutePattern("/environments/{name}")
        #expect(pattern.match("/environments/") == nil)
        #expect(pattern.match("/environments//x") == nil)
    }

    @Test func parameterNeverSpansASlash() {
        let pattern = RoutePattern("/environments/{name}")
        #expect(pattern.match("/environments/a/b") == nil)
    }

    @Test func trailingSlashIsADifferentPath() {
        #expect(RoutePattern("/a").match("/a/") == nil)
        #expect(RoutePattern("/a/").match("/a") == nil)
        #expect(RoutePattern("/a/").match("/a/") == [:])
    }

    @Test func rootMatchesOnlyRoot() {
        #expect(RoutePattern("/").match("/") == [:])
        #expect(RoutePattern("/").match("") == nil)
        #expect(RoutePattern("/").match("/x") == nil)
    }

    @Test func decodedCharactersInSegmentsAreMatchedLiterally() {
        #expect(RoutePattern("/environments/{name}").match("/environments/café bar") == ["name": "café bar"])
    }

    @Test func pathWithoutLeadingSlashNeverMatches() {
        #expect(RoutePattern("/{x}").match("x") == nil)
    }
}

import Testing
@testable import Wire

@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresCaseAndReturnsTheFirstValue() {
        let headers = HTTPHeaders([("Content-Type", "a"), ("content-type", "b")])
        #expect(headers["CONTENT-TYPE"] == "a")
        #expect(headers["missing"] == nil)
    }

    @Test func valuesReturnsEveryMatchInOrder() {
        var headers = HTTPHeaders()
        headers.add(name: "Vary", value: "a")
        headers.add(name: "X", value: "1")
        headers.add(name: "vary", value: "b")
        #expect(headers.values("VARY") == ["a", "b"])
        #expect(headers.count == 3)
    }

    @Test func replaceOrAddReplacesTheFirstAndRemovesLaterDuplicates() {
        var headers = HTTPHeaders([("A", "1"), ("B", "2"), ("a", "3")])
        headers.replaceOrAdd(name: "a", value: "9")
        #expect(Array(headers).map(\.name) == ["A", "B"])
        #expect(headers["a"] == "9")
    }

    @Test func replaceOrAddAppendsWhenAbsent() {
        var headers = HTTPHeaders([("A", "1")])
        headers.replaceOrAdd(name: "B", value: "2")
        #expect(Array(headers).map(\.value) == ["1", "2"])
    }

    @Test func iterationKeepsInsertionOrderAndSpelling() {
        let headers = HTTPHeaders([("X-B", "2"), ("x-a", "1")])
        #expect(Array(headers).map(\.name) == ["X-B", "x-a"])
    }
}

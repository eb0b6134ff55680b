import Observability
import Testing

@Suite struct LogLevelTests {
    @Test(arguments: [
        ("debug", LogLevel.debug), ("INFO", .info), ("warning", .warning), ("warn", .warning), ("Error", .error),
    ])
    func namesParseCaseInsensitively(name: String, level: LogLevel) {
        #expect(LogLevel(name: name) == level)
    }

    @Test func unknownNamesDoNotParse() {
        #expect(LogLevel(name: "verbose") == nil)
        #expect(LogLevel(name: "") == nil)
    }

    @Test func levelsOrderFromDebugToError() {
        #expect(LogLevel.allCases.sorted() == [.debug, .info, .warning, .error])
        #expect(LogLevel.debug < .error)
    }
}

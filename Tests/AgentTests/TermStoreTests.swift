@testable import Agent
import Foundation
import Testing
import TestSupport

struct TermStoreTests {
    @Test func aFirstStartWritesTermZeroAndAReopenKeepsTheHighestTerm() throws {
        let directory = TemporaryDirectory()
        let store = try TermStore(directory: directory.path)
        #expect(store.highestTerm == 0)
        #expect(directory.read("term") == "0\n")
        #expect(try store.raise(to: 7))
        #expect(try !store.raise(to: 5), "a lower term must not replace a higher one")
        #expect(try !store.raise(to: 7))
        #expect(directory.read("term") == "7\n")
        #expect(directory.read("term.tmp") == nil, "the temporary file must be renamed into place")
        let reopened = try TermStore(directory: directory.path)
        #expect(reopened.highestTerm == 7)
    }

    @Test func theLargestTermSurvivesAReopen() throws {
        let directory = TemporaryDirectory()
        try TermStore(directory: directory.path).raise(to: UInt64.max)
        #expect(try TermStore(directory: directory.path).highestTerm == UInt64.max)
    }

    @Test(arguments: [
        ("", "the file is empty"),
        ("7", "no newline"),
        ("seven\n", "not a decimal"),
        ("-1\n", "not a decimal"),
        (" 7\n", "not a decimal"),
        ("7\n8\n", "not a decimal"),
        ("007\n", "leading zero"),
        ("18446744073709551616\n", "larger than 64 bits"),
        ("99999999999999999999999\n", "longer than"),
    ])
    func garbageIsRefusedWithAMessageNamingTheFile(text: String, reason: String) throws {
        let directory = TemporaryDirectory()
        try directory.write(text, to: "term")
        do {
            _ = try TermStore(directory: directory.path)
            Issue.record("'\(text)' was accepted as a term")
        } catch {
            guard case let .malformedTerm(path, detail) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == directory.file("term"))
            #expect(detail.contains(reason), "\(detail)")
            #expect(error.description.contains(directory.file("term")) && error.description.contains("will not guess"))
        }
        #expect(directory.read("term") == text, "a refused term file must be left as it was")
    }

    @Test func aTemporaryFileLeftByACrashBeforeTheRenameIsIgnored() throws {
        let directory = TemporaryDirectory()
        try directory.write("4\n", to: "term")
        try directory.write("9", to: "term.tmp")
        let store = try TermStore(directory: directory.path)
        #expect(store.highestTerm == 4)
        #expect(try store.raise(to: 5))
        #expect(directory.read("term") == "5\n")
    }

    @Test func aFailedWriteLeavesTheTermUnchanged() throws {
        let directory = TemporaryDirectory()
        let store = try TermStore(directory: directory.path)
        try store.raise(to: 3)
        try FileManager.default.removeItem(atPath: directory.path)
        #expect(throws: AgentStateError.self) { try store.raise(to: 9) }
        #expect(store.highestTerm == 3, "the in-memory term moved although nothing was persisted")
    }
}

struct AgentDataDirectoryTests {
    @Test func aMissingDirectoryIsCreatedPrivate() throws {
        let parent = TemporaryDirectory()
        let path = parent.file("agent")
        let directory = try AgentDataDirectory(preparing: path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(parent.read("agent/agent.lock") == "\(getpid())\n")
        _ = directory
    }

    @Test func aSecondAgentOnTheSameDirectoryIsRefusedNamingTheFirst() throws {
        let parent = TemporaryDirectory()
        let first = try AgentDataDirectory(preparing: parent.path)
        #expect(throws: AgentStateError.locked(path: parent.path, ownerPid: getpid())) {
            _ = try AgentDataDirectory(preparing: parent.path)
        }
        _ = first
    }

    @Test func aFileOrAMissingParentIsNotADataDirectory() throws {
        let parent = TemporaryDirectory()
        try parent.write("x", to: "file")
        do {
            _ = try AgentDataDirectory(preparing: parent.file("file"))
            Issue.record("a regular file was accepted")
        } catch {
            #expect(error.description.contains("not a directory"), "\(error)")
        }
        #expect(throws: AgentStateError.self) { _ = try AgentDataDirectory(preparing: parent.file("missing/agent")) }
    }
}

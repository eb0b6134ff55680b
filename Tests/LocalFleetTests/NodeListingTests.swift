import FoundationEssentials
import LocalFleet
import Testing

struct NodeListingTests {
    static func decode(_ json: String) throws -> NodeListing {
        try JSONDecoder().decode(NodeListing.self, from: Data(json.utf8))
    }

    @Test func columnsKeepTheirWidthAndAnOverlongCellStillGetsASpace() {
        #expect(TextTable.row(["ab", "c"], widths: [4, 3]) == "ab  c  ")
        #expect(TextTable.row(["abcdef", "c"], widths: [4, 3]) == "abcdef c  ")
        #expect(TextTable.mebibytes(3 << 20 + 5) == 3)
    }

    @Test func aNodeThatNeverReportedShowsDashesAndNever() throws {
        let listing = try Self.decode(#"{"leader":"c1","term":1,"nodes":[{"id":"n","status":"down","lastReport":null}]}"#)
        let row = NodeListing.table(listing.nodes)[1].split(separator: " ")
        #expect(row == ["n", "down", "-", "-", "-", "-", "never"])
    }
}

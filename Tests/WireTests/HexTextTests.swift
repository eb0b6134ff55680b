import Testing
import Wire

struct HexTextTests {
    @Test func everyByteIsTwoLowercaseDigits() {
        #expect(HexText.lowercase([0x00, 0x0f, 0xa0, 0xff, 0x7c]) == "000fa0ff7c")
        #expect(HexText.lowercase([UInt8]()) == "")
        #expect(HexText.lowercase(0...255).count == 512)
    }

    @Test func textParsesBackToTheSameBytes() {
        let every = [UInt8](0...255)
        #expect(HexText.bytes(HexText.lowercase(every)) == every)
        #expect(HexText.bytes("") == [])
        #expect(HexText.bytes("000fA0Ff7c", uppercaseAllowed: true) == [0x00, 0x0f, 0xa0, 0xff, 0x7c])
    }

    @Test(arguments: ["0", "abc", "0g", "zz", " 00", "00 ", "0x00", "A0", "fF"])
    func anythingButPairsOfLowercaseDigitsIsRefused(text: String) {
        #expect(HexText.bytes(text) == nil)
    }
}

import Testing
import Wire

struct HexTextTests {
    @Test func everyByteIsTwoLowercaseDigits() {
        #expect(HexText.lowercase([0x00, 0x0f, 0xa0, 0xff, 0x7c]) == "000fa0ff7c")
        #expect(HexText.lowercase([UInt8]()) == "")
        #expect(HexText.lowercase(0...255).count == 512)
    }
}

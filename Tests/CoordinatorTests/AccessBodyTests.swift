@testable import Coordinator
import Testing

/// The access routes' bodies are read strictly: unknown fields named (with a suggestion), each
/// field of its JSON type, `null` read as absent, an empty body as `{}`.
@Suite struct AccessBodyTests {
    static func parse(_ text: String, known: [String] = ["username", "password"]) throws(AccessBody.Refusal) -> AccessBody {
        try AccessBody.parse(Array(text.utf8), known: known, shape: "{...}")
    }

    @Test func knownFieldsAreReadByType() throws {
        let body = try Self.parse(#"{"username":"ada","password":"x y","count":3}"#, known: ["username", "password", "count"])
        #expect(try body.string("username") == "ada")
        #expect(try body.optionalInteger("count") == 3)
        #expect(try Self.parse(#"{"username":null}"#).optionalString("username") == nil)
        #expect(try Self.parse("").fields.isEmpty)
    }

    @Test func aFieldGivenTwiceIsRefusedByName() throws {
        let twice = AccessBody.Refusal(code: "invalid_body", message: "the field 'password' is given twice; the body is {...}")
        #expect(throws: twice) { try Self.parse(#"{"password":"a","username":"ada","password":"b"}"#) }
        #expect(throws: twice) { try Self.parse(#"{"password":"a", "pass\u0077ord" : null}"#) }
        let nested = try Self.parse(#"{"username":{"password":1,"password":2},"password":"x,\"password\":"}"#)
        #expect(try nested.string("password") == "x,\"password\":")
    }

    @Test func unknownFieldsAndWrongTypesAreRefusedByName() {
        #expect(throws: AccessBody.Refusal(code: "invalid_body", message: "unknown fields 'pasword' (did you mean 'password'?), "
                                            + "'zzz'; the body is {...}")) {
            try Self.parse(#"{"username":"ada","pasword":"x","zzz":1}"#)
        }
        #expect(throws: AccessBody.Refusal(code: "invalid_body", message: "the field password must be a string")) {
            try Self.parse(#"{"username":"ada","password":12}"#).string("password")
        }
        #expect(throws: AccessBody.Refusal(code: "invalid_body", message: "the field count must be a whole number")) {
            try Self.parse(#"{"count":1.5}"#, known: ["count"]).optionalInteger("count")
        }
        #expect(throws: AccessBody.Refusal(code: "invalid_body", message: "the field password is missing")) {
            try Self.parse(#"{"username":"ada"}"#).string("password")
        }
        #expect(throws: AccessBody.Refusal(code: "invalid_json", message: "the body must be a JSON object: {...}")) {
            try Self.parse("[1]")
        }
    }
}

/// The rules a new password must pass (Docs/ACCESS.md): its length, not a well-known password,
/// not the user name, and enough different characters. Pure: the same answer for the bootstrap
/// secret at start and for a password set through the API.
public enum PasswordPolicy {
    public static let lengthBytes = 12...1_024
    public static let distinctCharactersMinimum = 5
    /// Shorter user names are not looked for in the password: one or two letters occur in
    /// strong passwords by chance, and refusing them would say nothing about the password.
    public static let userNameBytesCheckedMinimum = 3

    /// Placeholder and common passwords, lowercase. A password is refused when, lowercased, it is
    /// one of these repeated once or more and then followed only by ASCII digits
    /// ("password1234", "adminadminadmin", "123456123456"). Keyboard and digit runs are listed
    /// by their prefixes from six characters on, so "qwertyui1" is caught like "qwerty1".
    static let commonWords: [[UInt8]] = {
        let words = ["changeme", "password", "passw0rd", "admin", "administrator", "hotswap", "secret", "letmein",
                     "welcome", "iloveyou", "default", "root", "abc123"]
        let runs = ["qwertyuiop", "asdfghjkl", "1234567890", "0987654321"]
        let runPrefixes = runs.flatMap { run in (6...run.count).map { String(run.prefix($0)) } }
        return (words + runPrefixes).map { Array($0.utf8) }
    }()

    /// Checks the rules in order (length, common, user name, distinct characters) and throws the
    /// first one `password` breaks. `userName` is compared case-insensitively, and only when it
    /// has `userNameBytesCheckedMinimum` bytes or more.
    public static func check(_ password: String, userName: String) throws(PasswordRejection) {
        let length = password.utf8.count
        if length < lengthBytes.lowerBound { throw .tooShort(minimumBytes: lengthBytes.lowerBound) }
        if length > lengthBytes.upperBound { throw .tooLong(maximumBytes: lengthBytes.upperBound) }
        let lowered = password.lowercased()
        if isCommon(Array(lowered.utf8)) { throw .common }
        let name = userName.lowercased()
        if name.utf8.count >= userNameBytesCheckedMinimum, lowered.contains(name) { throw .containsUserName }
        if Set(password).count < distinctCharactersMinimum {
            throw .tooFewDistinctCharacters(minimum: distinctCharactersMinimum)
        }
    }

    static func isCommon(_ lowered: [UInt8]) -> Bool {
        commonWords.contains { word in
            var offset = 0
            var repetitions = 0
            while lowered.count - offset >= word.count, lowered[offset..<(offset + word.count)].elementsEqual(word) {
                offset += word.count
                repetitions += 1
            }
            return repetitions > 0 && lowered[offset...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
    }
}

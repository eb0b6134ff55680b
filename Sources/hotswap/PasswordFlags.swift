import LocalFleet

/// Where the commands that send passwords (`login`, `users add`, `users passwd`) read them:
/// typed at the terminal with echo off, or, with `--password-stdin`, one a line from standard
/// input (`PasswordInput`). A new password typed at the terminal is asked twice.
enum PasswordFlags {
    static let stdinFlag = Flag("password-stdin", .none,
                                help: "read the password from the first line of standard input instead of the terminal")
    /// `users passwd`'s, which may read two.
    static let stdinLinesFlag = Flag("password-stdin", .none,
                                     help: "read the passwords from standard input, one a line: the current one first when it is asked")

    /// One password asked for: the prompt's text, and whether it is a new one to type twice.
    struct Ask {
        let prompt: String
        let isNew: Bool
    }

    /// The passwords `asks` name, in order.
    static func read(_ options: CommandLineOptions, _ asks: [Ask]) throws -> [String] {
        if options.isGiven(stdinFlag) { return try PasswordInput.lines(asks.count, from: 0) }
        return try asks.map { ask in
            let password = try PasswordInput.prompt(ask.prompt + ": ")
            guard ask.isNew else { return password }
            guard try PasswordInput.prompt(ask.prompt + " again: ") == password else {
                throw CredentialFailure("the two passwords typed differ", hint: "nothing was changed; type the same one twice")
            }
            return password
        }
    }
}

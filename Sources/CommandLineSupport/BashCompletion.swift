/// A bash completion script for a program, made from the same command tree the parser reads,
/// so it offers exactly the commands and flags that parse: subcommands and flags after a
/// command, a choice flag's words after it, directories after a `DIR` flag, files after a
/// `FILE` or `.pem` one, and nothing after a flag whose value is free text.
public enum BashCompletion {
    public static func script(for root: Command) -> String {
        let function = "_" + root.name.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let commands = paths(root, path: "")
        let descents = commands.map(\.path).filter { !$0.isEmpty }.map { "\"\($0)\"" }
        var lines = [
            "# bash completion for \(root.name), made by '\(root.name) completion bash' from its own flag declarations.",
            "# Load it with: source <(\(root.name) completion bash)",
            "\(function)() {",
            "    local current=\"${COMP_WORDS[COMP_CWORD]}\" previous=\"\" path=\"\" index",
            "    (( COMP_CWORD > 0 )) && previous=\"${COMP_WORDS[COMP_CWORD - 1]}\"",
            "    for (( index = 1; index < COMP_CWORD; index++ )); do",
            "        case \"$path/${COMP_WORDS[index]}\" in",
            "            \(descents.joined(separator: "|"))) path=\"$path/${COMP_WORDS[index]}\" ;;",
            "        esac",
            "    done",
            "    case \"$path $previous\" in",
        ]
        for (path, command) in commands where command.action != nil {
            lines += valueCases(command, path: path)
        }
        lines += ["    esac", "    case \"$path\" in"]
        for (path, command) in commands {
            let words = command.subcommands.map(\.name) + (command.action == nil ? Flag.help.spellings
                                                           : command.acceptedFlags.flatMap(\.spellings))
            lines.append("        \"\(path)\") COMPREPLY=($(compgen -W \"\(words.joined(separator: " "))\" -- \"$current\")) ;;")
        }
        lines += ["    esac", "}", "complete -F \(function) \(root.name)"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every command under `command` (itself included) with its path of `/`-joined names.
    private static func paths(_ command: Command, path: String) -> [(path: String, command: Command)] {
        [(path, command)] + command.subcommands.flatMap { paths($0, path: "\(path)/\($0.name)") }
    }

    /// One `case` arm per kind of value after `command`'s value-taking flags.
    private static func valueCases(_ command: Command, path: String) -> [String] {
        var arms: [String: [String]] = [:]
        var order: [String] = []
        for flag in command.acceptedFlags {
            let reply: String
            switch flag.value {
            case .none: continue
            case let .choice(words): reply = "COMPREPLY=($(compgen -W \"\(words.joined(separator: " "))\" -- \"$current\"))"
            case let .text(placeholder) where placeholder.hasSuffix("DIR"): reply = "COMPREPLY=($(compgen -d -- \"$current\"))"
            case let .text(placeholder) where placeholder.hasSuffix("FILE") || placeholder.hasSuffix(".pem"):
                reply = "COMPREPLY=($(compgen -f -- \"$current\"))"
            case .text, .duration, .count: reply = "COMPREPLY=()"
            }
            if arms[reply] == nil { order.append(reply) }
            arms[reply, default: []] += flag.spellings.map { "\"\(path) \($0)\"" }
        }
        return order.map { reply in "        \(arms[reply, default: []].joined(separator: "|"))) \(reply); return ;;" }
    }
}

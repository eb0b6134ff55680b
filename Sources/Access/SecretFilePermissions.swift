/// Whether a secret file (the first admin's password, `--bootstrap-admin-password-file`) may be
/// trusted, from its type, mode, owner and group and the reading process's user and groups
/// (Docs/ACCESS.md, "Users and the first admin"). Only what the two ways such a file is handed
/// over need is taken:
/// - a Kubernetes Secret volume: root's file, group `fsGroup` (a supplementary group of the pod's
///   processes), `defaultMode: 0400` or `0440`;
/// - a systemd `LoadCredential=`: mode 0400, root's with an ACL granting the service's user (the
///   ACL's mask shows as the group's read bit, the group root's), or the service user's own.
///
/// The rule: a regular file; owned by the reading user or by root (who can read any file anyway);
/// nothing for others; the group may never write, and may read only a file of root's whose group
/// is the reader's own (its group or a supplementary one: then the file was made for it) or
/// root's, group 0. A group the reader is not in can be there only so that someone else reads the
/// password; on the reader's own file a group read bit is either a group of other users or the
/// mask of an ACL granting someone else, so its own file must be 0600 or 0400.
public enum SecretFilePermissions {
    /// Who reads the file: its effective user and group and its supplementary groups.
    public struct Reader: Sendable, Equatable {
        public let userID: UInt32
        public let groupIDs: Set<UInt32>

        public init(userID: UInt32, groupID: UInt32, supplementaryGroupIDs: [UInt32]) {
            self.userID = userID
            groupIDs = Set(supplementaryGroupIDs + [groupID])
        }
    }

    /// The file as `fstat` shows it.
    public struct File: Sendable, Equatable {
        public let isRegular: Bool
        /// The permission bits (`st_mode & 0o7777`).
        public let mode: UInt32
        public let ownerID: UInt32
        public let groupID: UInt32

        public init(isRegular: Bool, mode: UInt32, ownerID: UInt32, groupID: UInt32) {
            self.isRegular = isRegular
            self.mode = mode & 0o7777
            self.ownerID = ownerID
            self.groupID = groupID
        }
    }

    static let rootID: UInt32 = 0

    /// Why `file` is refused to `reader`, as the end of a sentence starting with its path; nil
    /// when it is taken.
    public static func refusal(_ file: File, reader: Reader) -> String? {
        let mode = "mode " + String(file.mode, radix: 8)
        guard file.isRegular else { return "is not a regular file (a pipe, a terminal or a device is never read)" }
        if file.mode & 0o007 != 0 { return "is open to others (\(mode)); chmod 600 it" }
        if file.mode & 0o020 != 0 { return "is writable by its group (\(mode)); chmod 600 it" }
        guard file.ownerID == reader.userID || file.ownerID == rootID else {
            return "is owned by uid \(file.ownerID), neither this user (\(reader.userID)) nor root"
        }
        if file.mode & 0o040 != 0, file.ownerID != rootID {
            return "is readable by its group (\(mode)) and owned by this user: chmod 600 it "
                + "(a group may read only root's file, as a Kubernetes Secret or a systemd credential is)"
        }
        if file.mode & 0o040 != 0, file.groupID != rootID, !reader.groupIDs.contains(file.groupID) {
            return "is readable by group \(file.groupID), which this process (uid \(reader.userID)) is not in; "
                + "chmod 600 it, or give it a group of this process"
        }
        return nil
    }
}

import Access
import Testing

/// Which secret files the first admin's password may come from (Docs/ACCESS.md, "Users and the
/// first admin"): the ways a Kubernetes Secret volume and a systemd credential hand one over are
/// taken; a file others, a foreign group or another user could read or change is not.
struct SecretFilePermissionsTests {
    /// uid 1000, primary group 1000, supplementary group 2000 (a pod's `fsGroup`).
    static let reader = SecretFilePermissions.Reader(userID: 1000, groupID: 1000, supplementaryGroupIDs: [2000])

    static func file(mode: UInt32, owner: UInt32 = 1000, group: UInt32 = 1000, isRegular: Bool = true) -> SecretFilePermissions.File {
        SecretFilePermissions.File(isRegular: isRegular, mode: mode, ownerID: owner, groupID: group)
    }

    @Test(arguments: [
        // One's own file, closed to everyone else.
        (0o600, 1000, 1000), (0o400, 1000, 1000),
        // A Kubernetes Secret volume with `fsGroup: 2000`: root's, 0400 or 0440.
        (0o400, 0, 2000), (0o440, 0, 2000),
        // A systemd credential: root's 0400 with an ACL for the service user (its mask shows as 0440, group root).
        (0o440, 0, 0), (0o400, 0, 0),
    ] as [(UInt32, UInt32, UInt32)])
    func theWaysASecretIsHandedOverAreTaken(mode: UInt32, owner: UInt32, group: UInt32) {
        #expect(SecretFilePermissions.refusal(Self.file(mode: mode, owner: owner, group: group), reader: Self.reader) == nil)
    }

    @Test func aFileOpenToOthersIsRefusedWhoeverOwnsIt() {
        for (mode, owner) in [(0o604, 1000), (0o644, 0), (0o601, 1000), (0o602, 1000)] as [(UInt32, UInt32)] {
            let refusal = SecretFilePermissions.refusal(Self.file(mode: mode, owner: owner), reader: Self.reader)
            #expect(refusal == "is open to others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
    }

    @Test func aFileItsGroupMayWriteIsRefused() {
        #expect(SecretFilePermissions.refusal(Self.file(mode: 0o660), reader: Self.reader)
            == "is writable by its group (mode 660); chmod 600 it")
        #expect(SecretFilePermissions.refusal(Self.file(mode: 0o620, owner: 0, group: 2000), reader: Self.reader) != nil)
    }

    @Test func aFileOfAnotherUserIsRefused() {
        #expect(SecretFilePermissions.refusal(Self.file(mode: 0o600, owner: 1001), reader: Self.reader)
            == "is owned by uid 1001, neither this user (1000) nor root")
    }

    @Test func groupReadIsForRootsFilesOfAGroupOfTheReaderOrRootsOnly() {
        #expect(SecretFilePermissions.refusal(Self.file(mode: 0o640, owner: 0, group: 3000), reader: Self.reader)
            == "is readable by group 3000, which this process (uid 1000) is not in; chmod 600 it, or give it a group of this process")
        // One's own file readable by a group, even one's own (its other members, or an ACL's mask).
        for group: UInt32 in [1000, 2000, 3000, 0] {
            #expect(SecretFilePermissions.refusal(Self.file(mode: 0o640, owner: 1000, group: group), reader: Self.reader)?
                .hasPrefix("is readable by its group (mode 640) and owned by this user: chmod 600 it") == true)
        }
        // Not readable by the foreign group: the group does not matter.
        #expect(SecretFilePermissions.refusal(Self.file(mode: 0o600, group: 3000), reader: Self.reader) == nil)
    }

    @Test func anythingButARegularFileIsRefusedWhateverItsMode() {
        #expect(SecretFilePermissions.refusal(Self.file(mode: 0o600, isRegular: false), reader: Self.reader)
            == "is not a regular file (a pipe, a terminal or a device is never read)")
    }

    @Test func theModeIsReadWithoutItsTypeBits() {
        // `st_mode` of a regular file 0600: S_IFREG | 0600.
        #expect(Self.file(mode: 0o100600).mode == 0o600)
    }
}

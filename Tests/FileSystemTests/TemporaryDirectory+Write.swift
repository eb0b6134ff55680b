import Glibc

/// A fresh directory under /tmp for one test, removed (files only, one
/// level deep, which is all these tests make) by `remove()`.
struct Scratch {
    let path: String

    init() {
        var template = Array("/tmp/filesystem-tests-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        path = String(cString: made!)
    }

    func join(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to `name` with plain POSIX calls (not the code under test).
    func write(_ name: String, _ bytes: [UInt8]) {
        let descriptor = open(join(name), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot create \(name): errno \(errno)")
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "short write of \(name)")
        close(descriptor)
    }

    func remove() {
        guard let stream = opendir(path) else { return }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(stream)
        for name in names where unlink(join(name)) != 0 { rmdir(join(name)) }
        rmdir(path)
    }
}

/// The distinct module names of a report in order of first appearance; samples refer to a
/// module by its index here, so a name is written once per report instead of once per sample.
struct ModuleNameTable {
    private(set) var names: [String] = []
    private var indexByName: [String: Int] = [:]

    /// The index of `name`, adding it if new; refuses to grow past `ReportLimits.moduleNamesMaximum`.
    mutating func index(of name: String) throws(ReportViolation) -> Int {
        if let index = indexByName[name] { return index }
        guard names.count < ReportLimits.moduleNamesMaximum else {
            throw .tooManyModuleNames(count: names.count + 1)
        }
        indexByName[name] = names.count
        names.append(name)
        return names.count - 1
    }
}

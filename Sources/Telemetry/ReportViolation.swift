/// A report that breaks a `ReportLimits` bound or a sample invariant. The encoder throws it
/// before writing a byte; the decoder reports it as `BinaryDecodingError.invalidValue`.
public enum ReportViolation: Error, Equatable, Sendable, CustomStringConvertible {
    case tooManySamples(count: Int)
    /// `firstSequence + samples.count − 1` does not fit 64 bits.
    case sequenceOverflow(firstSequence: UInt64, count: Int)
    case tooManyModules(sampleIndex: Int, count: Int)
    case tooManyModuleNames(count: Int)
    /// A module name is empty or longer than `ReportLimits.moduleNameBytesMaximum` bytes.
    case invalidModuleName(sampleIndex: Int, byteCount: Int)
    case duplicateModule(sampleIndex: Int, name: String)
    case hostCPUOutOfRange(sampleIndex: Int, basisPoints: UInt16)
    case memoryUsedExceedsTotal(sampleIndex: Int, usedBytes: UInt64, totalBytes: UInt64)

    public var description: String {
        switch self {
        case let .tooManySamples(count):
            "\(count) samples, over the limit of \(ReportLimits.samplesMaximum); send fewer per report"
        case let .sequenceOverflow(firstSequence, count):
            "\(count) samples from sequence \(firstSequence) pass the largest sequence number"
        case let .tooManyModules(sampleIndex, count):
            "sample \(sampleIndex) has \(count) modules, over the limit of \(ReportLimits.modulesPerSampleMaximum)"
        case let .tooManyModuleNames(count):
            "\(count) distinct module names, over the limit of \(ReportLimits.moduleNamesMaximum); send fewer samples per report"
        case let .invalidModuleName(sampleIndex, byteCount):
            "sample \(sampleIndex) has a module name of \(byteCount) bytes; names have 1 to \(ReportLimits.moduleNameBytesMaximum)"
        case let .duplicateModule(sampleIndex, name):
            "sample \(sampleIndex) lists module '\(name)' twice"
        case let .hostCPUOutOfRange(sampleIndex, basisPoints):
            "sample \(sampleIndex) has host CPU \(basisPoints) basis points, over 10000"
        case let .memoryUsedExceedsTotal(sampleIndex, usedBytes, totalBytes):
            "sample \(sampleIndex) uses \(usedBytes) bytes of memory, more than the total \(totalBytes)"
        }
    }
}

extension ReportViolation {
    static let hostCPUBasisPointsMaximum: UInt16 = 10_000

    /// The sample count and the sequence range it implies.
    static func checkHeader(firstSequence: UInt64, sampleCount: Int) throws(ReportViolation) {
        guard sampleCount <= ReportLimits.samplesMaximum else { throw .tooManySamples(count: sampleCount) }
        guard sampleCount == 0 || UInt64.max - firstSequence >= UInt64(sampleCount - 1) else {
            throw .sequenceOverflow(firstSequence: firstSequence, count: sampleCount)
        }
    }

    /// One sample's invariants and module bounds; `index` names it in the violation. The
    /// distinct-name bound spans samples and is `ModuleNameTable`'s.
    static func check(_ sample: Sample, index: Int) throws(ReportViolation) {
        guard sample.hostCPUBusyBasisPoints <= hostCPUBasisPointsMaximum else {
            throw .hostCPUOutOfRange(sampleIndex: index, basisPoints: sample.hostCPUBusyBasisPoints)
        }
        guard sample.hostMemoryUsedBytes <= sample.hostMemoryTotalBytes else {
            throw .memoryUsedExceedsTotal(sampleIndex: index, usedBytes: sample.hostMemoryUsedBytes,
                                          totalBytes: sample.hostMemoryTotalBytes)
        }
        guard sample.modules.count <= ReportLimits.modulesPerSampleMaximum else {
            throw .tooManyModules(sampleIndex: index, count: sample.modules.count)
        }
        var names = Set<String>()
        for module in sample.modules {
            try checkName(module.name, sampleIndex: index)
            guard names.insert(module.name).inserted else { throw .duplicateModule(sampleIndex: index, name: module.name) }
        }
    }

    static func checkName(_ name: String, sampleIndex: Int) throws(ReportViolation) {
        let byteCount = name.utf8.count
        guard (1...ReportLimits.moduleNameBytesMaximum).contains(byteCount) else {
            throw .invalidModuleName(sampleIndex: sampleIndex, byteCount: byteCount)
        }
    }
}

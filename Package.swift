// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "HotSwap",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hotswap", targets: ["hotswap"]),
        .executable(name: "hotswap-agent", targets: ["hotswap-agent"]),
        .executable(name: "hotswap-sample-service", targets: ["hotswap-sample-service"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(name: "CLinux"),
        .target(name: "Primitives"),
        .target(name: "Wire"),
        .target(name: "Consensus", dependencies: ["Primitives"]),
        .target(name: "Modules", dependencies: ["Primitives", "Wire"]),
        .target(name: "HostInstall", dependencies: ["Modules", "Primitives"]),
        .target(name: "Locking"),
        .target(name: "FileSystem", dependencies: ["Locking"]),
        .target(name: "Rollout"),
        .target(name: "Fleet", dependencies: ["Modules", "Primitives", "Rollout", "Wire"]),
        .target(name: "Access", dependencies: ["COpenSSL", "Fleet", "Primitives", "Wire"]),
        .target(name: "Gateway", dependencies: ["Fleet", "HostInstall", "Primitives", "Rollout", "Telemetry", "Wire"]),
        .target(name: "Cluster", dependencies: ["Consensus", "Fleet", "Gateway", "Primitives", "Rollout", "Telemetry", "Wire"]),
        .target(name: "Telemetry", dependencies: ["HostInstall", "Primitives"]),
        .target(name: "Storage", dependencies: ["FileSystem", "Locking", "Primitives"]),
        .target(name: "Observability", dependencies: ["Locking", "Primitives"]),
        .target(name: "Certificates", dependencies: ["COpenSSL", "FileSystem", "Primitives", "Wire"]),
        .target(name: "ModuleArchive", dependencies: ["CLinux", "COpenSSL", "CZlib", "FileSystem", "Locking", "Modules", "Wire"]),
        .target(
            name: "ModuleInstallation",
            dependencies: ["FileSystem", "HostInstall", "Locking", "ModuleArchive", "Modules", "ModuleSupervision", "Primitives", "Storage", "Transport"]
        ),
        .target(
            name: "ModuleSupervision",
            dependencies: ["CLinux", "FileSystem", "Locking", "Modules", "Primitives", "Telemetry", "Transport"]
        ),
        .target(name: "Transport", dependencies: ["CLinux", "COpenSSL", "FileSystem", "Wire", "Locking", "Observability", "Primitives"]),
        .target(
            name: "Agent",
            dependencies: [
                "CLinux", "FileSystem", "Transport", "Telemetry", "Certificates", "Observability", "Locking", "Primitives", "Wire",
                "HostInstall", "ModuleArchive", "ModuleInstallation", "Modules", "Storage",
            ]
        ),
        .target(
            name: "Coordinator",
            dependencies: [
                "Access", "CLinux", "FileSystem", "Transport", "Wire", "Certificates", "Observability", "Consensus", "Fleet", "Storage",
                "Gateway", "Telemetry", "Cluster", "Primitives", "Locking", "Modules", "ModuleArchive", "HostInstall", "Rollout",
            ]
        ),
        .target(name: "CommandLineSupport", dependencies: ["FileSystem", "Observability", "Primitives"]),
        .target(
            name: "AgentCommandLine",
            dependencies: [
                "Agent", "CommandLineSupport", "Certificates", "ModuleInstallation", "Observability", "Primitives", "Telemetry", "Transport",
            ]
        ),
        .target(
            name: "AgentSimulation",
            dependencies: ["Agent", "Certificates", "HostInstall", "Locking", "Observability", "Primitives", "Telemetry", "Transport"]
        ),
        .target(
            name: "LocalFleet",
            dependencies: [
                "Access", "CLinux", "CommandLineSupport", "Certificates", "FileSystem", "Locking", "ModuleArchive", "Modules",
                "ModuleSupervision", "Primitives", "Rollout", "Transport", "Wire",
            ]
        ),
        .target(
            name: "Benchmarks",
            dependencies: [
                "Agent", "AgentSimulation", "Cluster", "CommandLineSupport", "FileSystem", "Fleet", "Gateway", "HostInstall", "LocalFleet",
                "Locking", "ModuleArchive", "ModuleInstallation", "Modules", "ModuleSupervision", "Primitives", "Telemetry", "Transport",
                "Wire",
            ]
        ),
        .executableTarget(
            name: "hotswap",
            dependencies: [
                "Access", "Agent", "AgentCommandLine", "Benchmarks", "Certificates", "Cluster", "CommandLineSupport", "Coordinator",
                "FileSystem", "Fleet", "LocalFleet", "ModuleArchive", "Modules", "Observability", "Locking", "Primitives", "Transport",
                "Rollout", "Wire",
            ]
        ),
        // The sample module's service (Docs/MODULES.md): what demos and tests deploy.
        .executableTarget(
            name: "hotswap-sample-service",
            path: "Examples/sample-service/Sources",
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        // The agent alone, for its footprint target (RSS <= 0.75x node_exporter's): no Coordinator,
        // so no Foundation, and in release builds the Swift runtime and standard library linked
        // statically, which leaves far fewer pages resident than loading their shared libraries.
        .executableTarget(
            name: "hotswap-agent",
            dependencies: ["AgentCommandLine", "Transport"],
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        .target(
            name: "TestSupport",
            dependencies: ["CLinux", "Locking", "Transport", "Telemetry", "Wire", "Certificates", "Observability", "Primitives", "Storage"],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "WireTests", dependencies: ["Wire", "TestSupport"]),
        .testTarget(name: "ModulesTests", dependencies: ["Modules", "ModuleArchive", "TestSupport", "Wire"]),
        .testTarget(name: "HostInstallTests", dependencies: ["HostInstall", "Primitives"]),
        .testTarget(name: "RolloutTests", dependencies: ["Rollout"]),
        .testTarget(
            name: "ModuleInstallationTests",
            dependencies: ["HostInstall", "Locking", "ModuleArchive", "ModuleInstallation", "Modules", "Storage", "TestSupport"]
        ),
        .testTarget(
            name: "ModuleHostTests",
            dependencies: [
                "hotswap-sample-service", "HostInstall", "Locking", "ModuleArchive", "ModuleInstallation", "Modules", "ModuleSupervision",
                "Primitives", "TestSupport", "Transport",
            ]
        ),
        .testTarget(name: "RepositoryTests", dependencies: ["Access", "TestSupport"]),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives", "TestSupport"]),
        .testTarget(name: "ConsensusTests", dependencies: ["Consensus", "Primitives"]),
        .testTarget(name: "LockingTests", dependencies: ["Locking"]),
        .testTarget(name: "FileSystemTests", dependencies: ["FileSystem", "TestSupport"]),
        .testTarget(name: "CommandLineSupportTests", dependencies: ["CommandLineSupport", "TestSupport"]),
        .testTarget(
            name: "LocalFleetTests",
            dependencies: ["Access", "LocalFleet", "CommandLineSupport", "FileSystem", "Locking", "ModuleSupervision", "Primitives", "TestSupport"]
        ),
        .testTarget(
            name: "ModuleSupervisionTests",
            dependencies: ["hotswap-sample-service", "ModuleSupervision", "Modules", "Primitives", "Transport", "TestSupport"]
        ),
        .testTarget(name: "FleetTests", dependencies: ["Fleet", "Primitives", "Rollout", "TestSupport"]),
        .testTarget(name: "AccessTests", dependencies: ["Access", "Fleet", "Primitives"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "Fleet", "HostInstall", "Primitives", "Rollout", "Telemetry", "TestSupport"]
        ),
        .testTarget(
            name: "ClusterTests",
            dependencies: ["Cluster", "Consensus", "Fleet", "Gateway", "Locking", "Primitives", "Rollout", "Telemetry", "Wire", "TestSupport"]
        ),
        .testTarget(name: "TelemetryTests", dependencies: ["HostInstall", "Telemetry", "Primitives", "Wire", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Primitives", "TestSupport"]),
        .testTarget(name: "ModuleStoreTests", dependencies: ["ModuleArchive", "FileSystem", "Locking", "TestSupport"]),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability", "TestSupport"]),
        .testTarget(name: "CertificatesTests", dependencies: ["Certificates", "COpenSSL", "TestSupport"]),
        .testTarget(
            name: "CoordinatorTests",
            dependencies: [
                "Access", "Coordinator", "Cluster", "Consensus", "Fleet", "Gateway", "HostInstall", "Locking", "ModuleArchive", "Primitives",
                "Rollout", "Storage", "Telemetry", "Transport", "Wire", "Observability", "TestSupport", "Certificates", "COpenSSL", "FileSystem",
            ]
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "CLinux", "Telemetry", "Transport", "Wire", "Certificates", "Locking", "Observability", "Primitives", "TestSupport",
                "HostInstall", "ModuleArchive", "ModuleInstallation", "Modules", "Storage", "FileSystem",
            ]
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: ["Transport", "Wire", "Locking", "Observability", "Certificates", "COpenSSL", "Primitives", "TestSupport"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "hotswap", "hotswap-agent", "hotswap-sample-service", "Access", "Cluster", "Transport", "Wire", "Telemetry", "Certificates",
                "Locking", "Observability", "TestSupport", "AgentSimulation", "Agent", "Storage", "Primitives", "Fleet", "Modules",
                "ModuleArchive", "HostInstall",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

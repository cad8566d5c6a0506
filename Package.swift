// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GradFlow",
    products: [
        .library(name: "GradFlow", targets: ["GradFlow"]),
        .executable(name: "gradflow", targets: ["gradflow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // GSL headers come from pkg-config; the module map links OpenBLAS ahead of
        // libgsl so that every cblas_* symbol resolves to OpenBLAS, not gslcblas.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev", "libopenblas-dev", "pkg-config"])]
        ),
        .target(name: "GradFlow", dependencies: ["CGSL"]),
        .executableTarget(
            name: "gradflow",
            dependencies: [
                "GradFlow",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "TheoremTwoCheck", dependencies: ["GradFlow"], path: "Examples/TheoremTwoCheck"),
        .testTarget(name: "GradFlowTests", dependencies: ["GradFlow", "gradflow"]),
    ],
    swiftLanguageModes: [.v6]
)

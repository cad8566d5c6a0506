// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "GradFlow",
    products: [
        .library(name: "GradFlow", targets: ["GradFlow"]),
        .library(name: "GradFlowExport", targets: ["GradFlowExport"]),
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
        // The numerics layer: the only target that imports CGSL, holds raw pointers and
        // calls GSL, BLAS and LAPACK. Dense matrices and views, eigensolvers, the GSL ODE
        // drivers and the ReLU products.
        .target(name: "GradFlowNumerics", dependencies: ["CGSL"]),
        // The core: models, flows and their theory, solvers, solutions, monitors, discrete
        // methods and analysis.
        .target(name: "GradFlow", dependencies: ["GradFlowNumerics"]),
        // Writers: CSV, JSON, Markdown, LaTeX, atomic files.
        .target(name: "GradFlowExport", dependencies: ["GradFlow"]),
        // The real data sets, as package resources.
        .target(
            name: "GradFlowDatasets",
            path: "Datasets",
            exclude: ["README.md", "make_datasets.py"],
            resources: [.copy("digits01.csv"), .copy("digits01-64.csv"), .copy("breast_cancer.csv")]
        ),
        // The command line.
        .executableTarget(
            name: "gradflow",
            dependencies: [
                "GradFlow", "GradFlowExport", "GradFlowDatasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Examples: one small program per question the README answers (run in CI).
        .executableTarget(name: "TheoremTwoCheck", dependencies: ["GradFlow"], path: "Examples/TheoremTwoCheck"),
        .executableTarget(name: "HeavyBallVersusGradientDescent", dependencies: ["GradFlow"], path: "Examples/HeavyBallVersusGradientDescent"),
        .executableTarget(name: "PrintedC0Check", dependencies: ["GradFlow"], path: "Examples/PrintedC0Check"),
        .executableTarget(name: "QuadraticClassicalRate", dependencies: ["GradFlow"], path: "Examples/QuadraticClassicalRate"),
        .executableTarget(name: "SwitchLog", dependencies: ["GradFlow"], path: "Examples/SwitchLog"),
        .testTarget(name: "GradFlowTests", dependencies: ["GradFlow", "GradFlowNumerics", "GradFlowExport", "GradFlowDatasets", "gradflow"]),
    ],
    swiftLanguageModes: [.v6]
)

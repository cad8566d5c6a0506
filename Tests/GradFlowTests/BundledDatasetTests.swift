import Foundation
import XCTest
@testable import GradFlow
import GradFlowDatasets

/// The bundled real data sets load through the same reader as `--data`, with the sizes,
/// norms and labels Datasets/README.md states.
final class BundledDatasetTests: XCTestCase {
    func testBundledDatasetsHaveTheirDocumentedShape() throws {
        let expected: [String: (n: Int, d: Int, positives: Int)] = [
            "digits01": (360, 64, 182), "digits01-64": (64, 64, 31), "breast_cancer": (569, 30, 212),
        ]
        XCTAssertEqual(Set(BundledDatasets.names), Set(expected.keys))
        for (name, shape) in expected {
            let path = try XCTUnwrap(BundledDatasets.path(of: name), name)
            let data = try Dataset.load(csvPath: path)
            XCTAssertEqual(data.sampleCount, shape.n, name)
            XCTAssertEqual(data.dimension, shape.d, name)
            XCTAssertEqual(data.targets.filter { $0 == 1 }.count, shape.positives, name)
            XCTAssertTrue(data.targets.allSatisfy { $0 == 1 || $0 == -1 }, name)
            for i in 0..<data.sampleCount {
                // Rows were divided by their norm in double precision: |‖x‖ − 1| is a few ulps
                // (the README measured ≤ 2.3e-16); 1e-15 allows for the summation here.
                let norm = data.inputs.row(i).reduce(0) { $0 + $1 * $1 }.squareRoot()
                XCTAssertEqual(norm, 1, accuracy: 1e-15, "\(name) row \(i)")
            }
        }
        XCTAssertNil(BundledDatasets.path(of: "mnist"))
    }
}

import XCTest
@testable import GradFlow

/// `ProblemSpecification.initializationSeed`: the data stay those of `seed` while the
/// initialization varies (003's figures average over 5 initializations of one data set).
final class InitializationSeedTests: XCTestCase {
    private func network(seed: UInt64, initializationSeed: UInt64?) throws -> ReLUNetwork {
        var s = ProblemSpecification()
        s.samples = 6
        s.dimension = 4
        s.width = 32
        s.seed = seed
        s.initializationSeed = initializationSeed
        return try XCTUnwrap(try s.build().network)
    }

    func testDataFixedWhileInitializationVaries() throws {
        let a = try network(seed: 3, initializationSeed: 10)
        let b = try network(seed: 3, initializationSeed: 11)
        // The same data draws, bit for bit (exact comparison: same seed, same stream).
        XCTAssertEqual(a.data, b.data)
        XCTAssertNotEqual(a.initialWeights, b.initialWeights)
        XCTAssertNotEqual(a.outputWeights, b.outputWeights)
        // A different data seed with the same initialization seed gives other data and the same W(0).
        let c = try network(seed: 4, initializationSeed: 10)
        XCTAssertNotEqual(a.data, c.data)
        XCTAssertEqual(a.initialWeights, c.initialWeights)
        XCTAssertEqual(a.outputWeights, c.outputWeights)
    }

    func testInitializationSeedIsItsOwnStream() throws {
        let a = try network(seed: 3, initializationSeed: 10)
        let expected = try ReLUNetwork.gaussian(data: a.data, width: 32, random: RandomSource(seed: 10))
        XCTAssertEqual(a.initialWeights, expected.initialWeights)
        XCTAssertEqual(a.outputWeights, expected.outputWeights)
    }

    func testWithoutInitializationSeedTheDrawsAreUnchanged() throws {
        // nil keeps the single stream: data first, then W(0) and a, as before the option existed.
        let a = try network(seed: 5, initializationSeed: nil)
        let random = RandomSource(seed: 5)
        let data = try Dataset.synthetic(samples: 6, dimension: 4, labels: .signs, random: random)
        let expected = try ReLUNetwork.gaussian(data: data, width: 32, random: random)
        XCTAssertEqual(a.data, data)
        XCTAssertEqual(a.initialWeights, expected.initialWeights)
        // Not the same as initializationSeed == seed, which restarts a stream.
        XCTAssertNotEqual(a.initialWeights, try network(seed: 5, initializationSeed: 5).initialWeights)
    }

    func testDeepLinearLayersFollowTheInitializationSeed() throws {
        func layers(_ initSeed: UInt64) throws -> DeepLinearNetwork {
            var s = ProblemSpecification()
            s.model = "deep-linear"
            s.modelOptions = ModelOptions(["layers": "3", "hidden": "6"])
            s.samples = 3
            s.dimension = 4
            s.seed = 1
            s.initializationSeed = initSeed
            return try XCTUnwrap(try s.build().model as? DeepLinearNetwork)
        }
        let a = try layers(7), b = try layers(8)
        XCTAssertEqual(a.inputs, b.inputs)
        XCTAssertNotEqual(a.initialPosition, b.initialPosition)
    }
}

import XCTest
@testable import GradFlow

// Conveniences for tests written against the sampled columns by name.

extension Solution {
    /// The values of the column named `name` (`Observable.rawValue`).
    func column(_ name: String) -> [Double]? { self[Observable(rawValue: name)] }
}

/// A continuous run of `flow` on `model` from `x0` through `solve`.
func solveFlow(_ model: any Model, from x0: [Double], _ flow: any ContinuousFlow, solver: Solver,
               sampleTimes times: SampleTimes, monitors: [any Monitor], options: SolveOptions = SolveOptions()) throws -> Solution {
    try solve(model, from: x0, .flow(flow), solver: solver, sampleTimes: times, monitors: monitors, options: options)
}

/// A discrete run of `method` for exactly `iterations` iterations, sampled at `sampleIterations`.
func solveMethod(_ model: any Model, from x0: [Double], _ method: any DiscreteMethod, iterations: Int,
                 sampleIterations: [Int], monitors: [any Monitor]) throws -> Solution {
    var options = SolveOptions()
    options.iterations = iterations
    options.sampleIterations = sampleIterations
    return try solve(model, from: x0, .method(method), solver: .exact, sampleTimes: try SampleTimes(list: [0]),
                     monitors: monitors, options: options)
}

/// Asserts that `model`'s gradient at `x` equals central differences of its potential with
/// step `h`, within `absolute + relative·|difference|` per component (callers justify the
/// tolerance for their model). Returns the gradient.
@discardableResult
func assertGradientMatchesCentralDifferences(_ model: any Model, at x: [Double], step h: Double, absolute: Double,
                                             relative: Double, file: StaticString = #filePath, line: UInt = #line) -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    x.withView { v in g.withMutableView { model.gradient(at: v, into: $0) } }
    for k in 0..<x.count {
        var plus = x, minus = x
        plus[k] += h
        minus[k] -= h
        let fd = (plus.withView { model.potential(at: $0) } - minus.withView { model.potential(at: $0) }) / (2 * h)
        XCTAssertEqual(g[k], fd, accuracy: absolute + relative * abs(fd), "component \(k)", file: file, line: line)
    }
    return g
}

/// ‖a − b‖ / ‖b‖.
func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    var num = 0.0, den = 0.0
    for (x, y) in zip(a, b) {
        num += (x - y) * (x - y)
        den += y * y
    }
    return (num / den).squareRoot()
}

/// A two-layer ReLU network on `Dataset.synthetic` data, data and weights from one
/// `RandomSource(seed:)`.
func randomReLUNetwork(samples n: Int, dimension d: Int, width m: Int, seed: UInt64,
                       labels: Dataset.LabelKind = .signs) throws -> ReLUNetwork {
    let random = RandomSource(seed: seed)
    let data = try Dataset.synthetic(samples: n, dimension: d, labels: labels, random: random)
    return try ReLUNetwork.gaussian(data: data, width: m, random: random)
}

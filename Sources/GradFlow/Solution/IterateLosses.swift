/// What a discrete run knows about the loss of every iterate, not only the sampled ones
/// (`DiscreteIterator.lastKnownLoss`): the smallest loss with the first iteration reaching it,
/// and the first iteration at or below a level ε. Covers the iterates 0…K the iterator saw
/// (the dense iterators learn w_k's loss from its gradient, so w_K's comes from its sample).
public struct IterateLosses: Sendable, Codable, Equatable {
    public var minimumLoss: Double
    public var minimumIteration: Int
    public var minimumTime: Double
    /// ε, when one was given.
    public var level: Double?
    /// The first iteration with L ≤ ε and its time (nil: none seen).
    public var firstAtOrBelowLevel: Int?
    public var firstAtOrBelowLevelTime: Double?

    public init(minimumLoss: Double, minimumIteration: Int, minimumTime: Double, level: Double?) {
        self.minimumLoss = minimumLoss
        self.minimumIteration = minimumIteration
        self.minimumTime = minimumTime
        self.level = level
    }

    /// Takes the loss of iterate k at time t into account (iterations arrive in order).
    mutating func observe(_ loss: Double, iteration k: Int, time t: Double) {
        if loss < minimumLoss || minimumLoss.isNaN {
            minimumLoss = loss
            minimumIteration = k
            minimumTime = t
        }
        if let level, firstAtOrBelowLevel == nil, loss <= level {
            firstAtOrBelowLevel = k
            firstAtOrBelowLevelTime = t
        }
    }
}

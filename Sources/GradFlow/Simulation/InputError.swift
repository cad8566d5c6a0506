/// Bad input from a user: one line naming the input, the value given and what is allowed.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public let input: String
    public let value: String
    public let allowed: String

    public init(_ input: String, value: String, allowed: String) {
        self.input = input
        self.value = value
        self.allowed = allowed
    }

    public var description: String { "\(input): got \(value); \(allowed)" }
}

import GradFlow

/// One row of a reproduction's table "the paper says / GradFlow measured".
struct Claim: Codable, Equatable {
    enum Verdict: String, Codable {
        case agrees
        case disagrees
        /// The paper states no number or direction here; GradFlow's value is reported.
        case noClaim = "no claim"
    }

    /// What is compared, e.g. "pattern change at k = 50, HB".
    var quantity: String
    /// The paper's statement, quoted or paraphrased with its line.
    var paper: String
    /// GradFlow's value as shown (mean and min–max over seeds, a count of seeds, …).
    var measured: String
    /// The number behind `measured` (the mean, a fraction of seeds), at full precision.
    var value: Double?
    var verdict: Verdict

    /// "m (a – b)" for a band of per-seed values, or "m" for one seed.
    static func display(_ band: SeedBand, digits: Int = 3, scale: Double = 1, unit: String = "") -> String {
        let m = NumberFormat.short(band.mean[0] * scale, digits: digits) + unit
        guard band.count > 1 else { return m }
        return "\(m) (\(NumberFormat.short(band.minimum[0] * scale, digits: digits)) – \(NumberFormat.short(band.maximum[0] * scale, digits: digits))\(unit)) over \(band.count) seeds"
    }

    /// Iterations (or times) to reach a level over seeds, nil where a seed did not reach it
    /// within `limit`: the band of the seeds that did, and how many.
    static func reach(_ values: [Double?], limit: String) -> (text: String, mean: Double?) {
        let reached = values.compactMap { $0 }
        guard !reached.isEmpty else { return ("not reached within \(limit) (\(count(0, of: values.count)))", nil) }
        let band = SeedBand(values: reached)
        let text = display(band, digits: 3)
        return (reached.count == values.count ? text : "\(text); reached in \(count(reached.count, of: values.count)) within \(limit)", band.mean[0])
    }

    /// "c/n seeds".
    static func count(_ hits: Int, of total: Int) -> String { "\(hits)/\(total) seeds" }
}

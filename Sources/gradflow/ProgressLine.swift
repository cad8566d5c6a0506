import ArgumentParser
import Foundation
import GradFlow

/// `--progress` and `--quiet`.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "Show a progress line on stderr even when stderr is not a terminal.")
    var progress = false

    @Flag(help: "Never show a progress line.")
    var quiet = false

    /// The progress line, or nil: shown when stderr is a terminal (or with --progress),
    /// never with --quiet; it appears once a run has taken 2 s.
    func line() -> ProgressLine? {
        guard !quiet else { return nil }
        guard progress || isatty(STDERR_FILENO) != 0 else { return nil }
        return ProgressLine(delay: progress ? 0 : 2)
    }
}

/// One updating line on stderr: the run, t reached of T, switches, evaluations, elapsed time
/// and an estimate of the rest (linear in t). Never part of any output file.
final class ProgressLine: @unchecked Sendable {
    private let delay: Double
    private let lock = NSLock()
    private var start = ContinuousClock.now
    private var shown = false
    private var finishedRuns = 0

    init(delay: Double) { self.delay = delay }

    private func elapsed() -> Double {
        let d = ContinuousClock.now - start
        return d.inSeconds
    }

    private func show(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
        shown = true
    }

    /// The callback `solve` calls after each sample of one run.
    func reporter(run: String, endTime: Double) -> (SolveProgress) -> Void {
        lock.withLock {
            start = ContinuousClock.now
            shown = false
        }
        return { [self] p in
            lock.withLock {
                let seconds = elapsed()
                guard seconds >= delay else { return }
                let fraction = endTime > 0 ? min(p.time / endTime, 1) : 1
                let rest = fraction > 0 ? seconds * (1 - fraction) / fraction : .nan
                var text = "\(run): t = \(NumberFormat.short(p.time, digits: 4)) of \(NumberFormat.short(endTime, digits: 4))"
                if let switches = p.switches { text += ", \(switches) switches" }
                text += ", \(p.evaluations) evaluations, \(NumberFormat.short(seconds, digits: 3)) s, about \(NumberFormat.short(rest, digits: 2)) s left"
                show(text)
            }
        }
    }

    /// Parallel runs: one more run done.
    func runFinished(_ run: String, of total: Int) {
        lock.withLock {
            finishedRuns += 1
            guard elapsed() >= delay else { return }
            show("\(finishedRuns) of \(total) runs done (last: \(run)), \(NumberFormat.short(elapsed(), digits: 3)) s")
        }
    }

    /// Ends the line (so the next output starts on a clean line).
    func finish() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            shown = false
        }
    }
}

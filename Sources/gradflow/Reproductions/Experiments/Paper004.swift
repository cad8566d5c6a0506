import GradFlow

extension Reproduction {
    /// 004 Table 1 (l.115–123): teacher–student test accuracies of GD and GD+M.
    static let paper004Table1 = Reproduction(
        id: "004-T1", title: "004 Table 1: GD vs GD+M test accuracy, ReLU MLP/CNN teacher–student, Gaussian data",
        source: "papers/004 l.86–95, l.115–123",
        availability: .notAvailable(needs: "teacher–student classification: Gaussian inputs labelled by teacher networks (linear, 1-/2-layer ReLU MLP and CNN) and over-parameterized ReLU MLP/CNN students with trained hidden and output layers; GradFlow's logistic loss, test split and accuracy monitors exist only for margin-cnn (the cubic patch CNN on data (D)), and 004's extraction gives no widths, kernel sizes, η or γ (l.86–95; its Appendix is absent)"))

    /// 004 Fig. 3 (caption l.157–159): GD vs GD+M on the margin data (D) with the cubic patch
    /// CNN (eq. CNN), logistic loss (eq. P); training loss and test accuracy on large- and
    /// small-margin data (eq. TE).
    static let paper004Figure3 = Reproduction(
        id: "004-F3", title: "004 Fig. 3: GD vs GD+M train loss and test accuracy on large- and small-margin data",
        source: "papers/004 caption l.157–159; data l.229–248; model l.249–258; loss l.259–267; GD+M l.279–284",
        scales: ("N = 2000, d = 30, m = 5, P = 5, 3 seeds, 2000 iterations", "N = 20000 (the paper's), 3 seeds, 2000 iterations"),
        choices: [
            "Data and initialization follow `--model margin-cnn`'s documented defaults: w* = e₁, α = d^0.49, σ = log(d)/√d, μ = 1/d, "
                + "β = 0.3 and σ0² = 10⁻³ (the extraction garbles β and σ0²; the two were chosen by a sweep as the regime 004 analyses), λ = 0.",
            "GD η = 0.5; GD+M η = 2, γ = 0.9 (004 asks for a large learning rate for GD+M and γ close to 1; its values are not extracted).",
            "The test set holds 1000 large-margin and 1000 small-margin samples, so both accuracies are measured on 1000 points.",
            "2000 iterations (the paper's epoch count is not extracted); 3 seeds, each drawing data and initialization.",
        ],
        availability: .available { scale, recorder in
            let samples = scale == .full ? 20_000 : 2000
            let seeds = [0, 1, 2]
            let methods = "gd:eta=0.5,gdm:eta=2:gamma=0.9"
            recorder.parameter("model", "cubic patch CNN f = Σ_r Σ_j ⟨w_r, X[j]⟩³ on data (D), logistic loss (004 eqs. CNN, P)")
            recorder.parameter("N, d, m, P", "\(samples), 30, 5, 5")
            recorder.parameter("test set", "1000 large-margin + 1000 small-margin samples")
            recorder.parameter("seeds", "0–2 (data and initialization)")
            recorder.parameter("methods", "\(methods); 2000 iterations")
            let groups = try seeds.map { seed in
                try recorder.compare(["--model", "margin-cnn", "--samples", "\(samples)", "--dimension", "30", "--seed", "\(seed)",
                                      "--flows", "none", "--methods", methods, "--iterations", "2000", "--points", "2"], group: "seed\(seed)")
            }
            let loss = try ["gd", "gdm"].map { try recorder.band("loss-\($0)", run: $0, column: .loss, in: groups) }
            recorder.figure("004 Fig. 3(a): training loss", x: "iteration k", y: "(1/N) Σ log(1 + e^{−y f})",
                            series: [loss[0].series("GD"), loss[1].series("GD+M")])
            let large = try ["gd", "gdm"].map { try recorder.band("large-\($0)", run: $0, column: .testAccuracyLarge, in: groups) }
            recorder.figure("004 Fig. 3(b): test accuracy, large-margin data", x: "iteration k", y: "accuracy", yScale: "linear",
                            series: [large[0].series("GD"), large[1].series("GD+M")])
            let small = try ["gd", "gdm"].map { try recorder.band("small-\($0)", run: $0, column: .testAccuracySmall, in: groups) }
            recorder.figure("004 Fig. 3(c): test accuracy, small-margin data", x: "iteration k", y: "accuracy", yScale: "linear",
                            series: [small[0].series("GD"), small[1].series("GD+M")])
            let n = seeds.count
            func finals(_ run: String, _ column: Observable) -> [Double] { groups.map { $0[run]!.solution.final(column) } }
            let fitted = zip(finals("gd", .trainAccuracy), finals("gdm", .trainAccuracy)).filter { $0 == 1 && $1 == 1 }.count
            recorder.claim("training accuracy 1 for both at k = 2000", paper: "both reach zero training loss (l.157–159)",
                           measured: Claim.count(fitted, of: n), value: Double(fitted) / Double(n), verdict: fitted == n ? .agrees : .disagrees)
            let gdSmall = SeedBand(finals("gd", .testAccuracySmall).map { [$0] }), gdmSmall = SeedBand(finals("gdm", .testAccuracySmall).map { [$0] })
            let better = zip(finals("gd", .testAccuracySmall), finals("gdm", .testAccuracySmall)).filter { $1 > $0 }.count
            recorder.claim("small-margin test accuracy, GD+M above GD", paper: "GD+M generalizes better on small-margin data (Theorems 3.1–3.2)",
                           measured: Claim.count(better, of: n) + "; GD " + Claim.display(gdSmall) + ", GD+M " + Claim.display(gdmSmall),
                           value: Double(better) / Double(n), verdict: better == n ? .agrees : .disagrees)
            let gdLarge = SeedBand(finals("gd", .testAccuracyLarge).map { [$0] }), gdmLarge = SeedBand(finals("gdm", .testAccuracyLarge).map { [$0] })
            recorder.claim("large-margin test accuracy", paper: "both classify large-margin data", measured: "GD " + Claim.display(gdLarge)
                + ", GD+M " + Claim.display(gdmLarge), value: gdLarge.mean[0], verdict: min(gdLarge.minimum[0], gdmLarge.minimum[0]) > 0.95 ? .agrees : .disagrees)
        })

    /// 004 Fig. 1 (l.54–73): ResNet-18 / WRN-16 on CIFAR.
    static let paper004Figure1 = Reproduction(
        id: "004-F1", title: "004 Fig. 1: ResNet-18/WRN-16 on CIFAR-10/100, GD vs GD+M and SGD vs SGD+M",
        source: "papers/004 l.54–73",
        availability: .notAvailable(needs: "ResNet-18 and WRN-16 trained with GD/GD+M and SGD/SGD+M on CIFAR-10/100 for 300 epochs: deep convolutional networks and image data sets, out of GradFlow's scope (two-layer and deep linear networks, the cubic patch CNN; no CIFAR on this machine)"))

    /// 004 Fig. 4 (l.163–181): CIFAR-10 with small-margin images.
    static let paper004Figure4 = Reproduction(
        id: "004-F4", title: "004 Fig. 4: CIFAR-10 with 10 % small-margin images, GD vs GD+M",
        source: "papers/004 l.163–181",
        availability: .notAvailable(needs: "ResNet-18 on CIFAR-10 with artificially generated small-margin images, GD/GD+M for 300 epochs over 5 runs: a deep convolutional network and an image data set, out of GradFlow's scope; its synthetic counterpart is 004-F3 (margin-cnn)"))
}

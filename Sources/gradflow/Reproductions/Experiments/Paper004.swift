extension Reproduction {
    /// 004 Table 1 (l.115–123): teacher–student test accuracies of GD and GD+M.
    static let paper004Table1 = Reproduction(
        id: "004-T1", title: "004 Table 1: GD vs GD+M test accuracy, ReLU MLP/CNN teacher–student, Gaussian data",
        source: "papers/004 l.86–95, l.115–123",
        availability: .notAvailable(needs: "ReLU MLP/CNN students and teachers with trained output layers, classification loss, a test split and a test-accuracy monitor"))

    /// 004 Fig. 2 (l.110–114): a sketch of the margin data (D).
    static let paper004Figure2 = Reproduction(
        id: "004-F2", title: "004 Fig. 2: sketch of the small/large-margin data (D)",
        source: "papers/004 l.110–114, l.229–248",
        availability: .notAvailable(needs: "004's margin-data generator (D)"))

    /// 004 Fig. 3 (caption l.157–159): GD vs GD+M on margin data with a cubic patch CNN.
    static let paper004Figure3 = Reproduction(
        id: "004-F3", title: "004 Fig. 3: GD vs GD+M train loss and test accuracy on large- and small-margin data",
        source: "papers/004 caption l.157–159; data l.229–248; model l.249–258; loss l.259–267",
        availability: .notAvailable(needs: "the cubic-activation patch CNN, 004's margin data (D), logistic loss with weight decay and a 0-1 test-error monitor"))

    /// 004 Fig. 1 (l.54–73): ResNet-18 / WRN-16 on CIFAR.
    static let paper004Figure1 = Reproduction(
        id: "004-F1", title: "004 Fig. 1: ResNet-18/WRN-16 on CIFAR-10/100, GD vs GD+M and SGD vs SGD+M",
        source: "papers/004 l.54–73",
        availability: .notAvailable(needs: "ResNet-18/WRN-16 and CIFAR-10/100 (out of GradFlow's scope)"))

    /// 004 Fig. 4 (l.163–181): CIFAR-10 with small-margin images.
    static let paper004Figure4 = Reproduction(
        id: "004-F4", title: "004 Fig. 4: CIFAR-10 with 10 % small-margin images, GD vs GD+M",
        source: "papers/004 l.163–181",
        availability: .notAvailable(needs: "ResNet-18 and CIFAR-10 (out of GradFlow's scope)"))
}

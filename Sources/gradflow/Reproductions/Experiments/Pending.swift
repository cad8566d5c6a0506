extension Reproduction {
    static let paper001Figure2 = Reproduction(id: "001-F2", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper002Figure1 = Reproduction(id: "002-F1", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper002Figure2 = Reproduction(id: "002-F2", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper002Figure3 = Reproduction(id: "002-F3", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper002Figure4 = Reproduction(id: "002-F4", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper003Table1 = Reproduction(id: "003-T1", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper003Figure2 = Reproduction(id: "003-F2", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper003Figure3 = Reproduction(id: "003-F3", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper003Figure4 = Reproduction(id: "003-F4", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper003Figure5 = Reproduction(id: "003-F5", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
    static let paper003Figure6 = Reproduction(id: "003-F6", title: "pending", source: "", availability: .notAvailable(needs: "pending"))
}

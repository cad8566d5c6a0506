@preconcurrency internal import CGSL

/// GSL special functions and polynomial roots, with GSL's errors turned into Swift errors.
public enum SpecialFunctions {
    /// Regular cylindrical Bessel function J_ν(x), x ≥ 0, ν ≥ 0 (`gsl_sf_bessel_Jnu_e`).
    public static func besselJ(order nu: Double, _ x: Double) throws -> Double {
        GSL.disableAbortOnError()
        var result = gsl_sf_result()
        try GSL.check(gsl_sf_bessel_Jnu_e(nu, x, &result), "Bessel J_\(nu)(\(x))")
        return result.val
    }

    /// Irregular cylindrical Bessel function Y_ν(x), x > 0, ν ≥ 0 (`gsl_sf_bessel_Ynu_e`).
    public static func besselY(order nu: Double, _ x: Double) throws -> Double {
        GSL.disableAbortOnError()
        var result = gsl_sf_result()
        try GSL.check(gsl_sf_bessel_Ynu_e(nu, x, &result), "Bessel Y_\(nu)(\(x))")
        return result.val
    }

    /// J_ν(x), Y_ν(x), J_{ν+1}(x), Y_{ν+1}(x) for x > 0, ν ≥ 0: the solutions and
    /// derivatives of Bessel-type modes (d/dx[x^{−ν}C_ν(x)] = −x^{−ν}C_{ν+1}(x)). GSL's abort
    /// handler is off and each status is checked: an underflow (J of a tiny x at a large
    /// order) is the value 0, as GSL returns it; a domain error or overflow throws a
    /// `GSLError`.
    public static func besselPair(order nu: Double, _ x: Double) throws -> (j: Double, y: Double, jNext: Double, yNext: Double) {
        GSL.disableAbortOnError()
        func value(regular: Bool, _ order: Double) throws -> Double {
            var result = gsl_sf_result()
            let status = regular ? gsl_sf_bessel_Jnu_e(order, x, &result) : gsl_sf_bessel_Ynu_e(order, x, &result)
            if Int(status) == GSL_EUNDRFLW { return 0 }
            try GSL.check(status, "Bessel \(regular ? "J" : "Y")_\(order)(\(x))")
            return result.val
        }
        return (try value(regular: true, nu), try value(regular: false, nu),
                try value(regular: true, nu + 1), try value(regular: false, nu + 1))
    }

    /// ln Γ(x) for x > 0 (`gsl_sf_lngamma_e`).
    public static func logGamma(_ x: Double) throws -> Double {
        GSL.disableAbortOnError()
        var result = gsl_sf_result()
        try GSL.check(gsl_sf_lngamma_e(x, &result), "lnΓ(\(x))")
        return result.val
    }

    /// Complex roots of c_0 + c_1 s + … + c_N s^N with c_N ≠ 0 (`gsl_poly_complex_solve`).
    /// Coefficients are given lowest degree first.
    public static func polynomialRoots(coefficients c: [Double]) throws -> [Complex] {
        GSL.disableAbortOnError()
        let degree = c.count - 1
        guard degree >= 1, c[degree] != 0 else {
            throw GSLError(status: GSL_EINVAL, context: "polynomial roots need a degree ≥ 1 and a non-zero leading coefficient")
        }
        if degree == 1 { return [Complex(-c[0] / c[1], 0)] }
        guard let work = gsl_poly_complex_workspace_alloc(c.count) else {
            throw GSLError(status: GSL_ENOMEM, context: "gsl_poly_complex_workspace_alloc")
        }
        defer { gsl_poly_complex_workspace_free(work) }
        var z = [Double](repeating: 0, count: 2 * degree)
        let status = c.withUnsafeBufferPointer { cp in
            z.withUnsafeMutableBufferPointer { zp in
                gsl_poly_complex_solve(cp.baseAddress!, c.count, work, zp.baseAddress!)
            }
        }
        try GSL.check(status, "gsl_poly_complex_solve")
        return (0..<degree).map { Complex(z[2 * $0], z[2 * $0 + 1]) }
    }
}

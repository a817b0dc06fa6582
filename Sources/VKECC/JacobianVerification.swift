// SPDX-License-Identifier: Apache-2.0

/// A point in Jacobian coordinates (x = X/Z², y = Y/Z³), Montgomery form; Z = 0 is the identity.
struct JacobianPoint<let N: Int>: Sendable {
    var x: Limbs<N>
    var y: Limbs<N>
    var z: Limbs<N>
}

/// Verification's u1·G + u2·Q, where every input is public: Jacobian coordinates with the a = −3
/// doubling (3M + 5S against the complete formula's 13 products) and mixed additions of affine
/// odd multiples chosen by width-w NAF digits (w = 5 for Q, w = 7 for G's static table), so about
/// 256 doublings and 43 + 32 additions for P-256. The incomplete formulas' exceptional cases (equal or
/// opposite points, the identity) are detected and branched on: nothing here is secret. Signing never
/// comes here.
extension WeierstrassCurve {
    /// 2P (dbl-2001-b of the Explicit-Formulas Database, a = −3).
    @inline(__always)
    func jacobianDouble(_ p: JacobianPoint<N>) -> JacobianPoint<N> {
        let f = field
        let delta = f.square(p.z)
        let gamma = f.square(p.y)
        let beta = f.multiply(p.x, gamma)
        let t = f.multiply(f.subtract(p.x, delta), f.add(p.x, delta))
        let alpha = f.add(f.add(t, t), t)
        let beta2 = f.add(beta, beta)
        let beta4 = f.add(beta2, beta2)
        let beta8 = f.add(beta4, beta4)
        let x3 = f.subtract(f.square(alpha), beta8)
        let yz = f.add(p.y, p.z)
        let z3 = f.subtract(f.subtract(f.square(yz), gamma), delta)
        let gamma2 = f.square(gamma)
        var gamma8 = f.add(gamma2, gamma2)
        gamma8 = f.add(gamma8, gamma8)
        gamma8 = f.add(gamma8, gamma8)
        let y3 = f.subtract(f.multiply(alpha, f.subtract(beta4, x3)), gamma8)
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// P + (x, y) for an affine (x, y) (madd-2007-bl), with the exceptional cases handled.
    @inline(__always)
    func jacobianAdd(_ p: JacobianPoint<N>, x x2: Limbs<N>, y y2: Limbs<N>) -> JacobianPoint<N> {
        let f = field
        if p.z.zeroMask != 0 { return JacobianPoint(x: x2, y: y2, z: f.one) }
        let z1z1 = f.square(p.z)
        let u2 = f.multiply(x2, z1z1)
        let s2 = f.multiply(y2, f.multiply(p.z, z1z1))
        let h = f.subtract(u2, p.x)
        let sy = f.subtract(s2, p.y)
        if h.zeroMask != 0 {
            // Same x: P = (x, y) doubles, P = −(x, y) sums to the identity.
            return sy.zeroMask != 0 ? jacobianDouble(p) : JacobianPoint(x: f.one, y: f.one, z: .zero)
        }
        let hh = f.square(h)
        let i = f.add(f.add(hh, hh), f.add(hh, hh))
        let j = f.multiply(h, i)
        let r = f.add(sy, sy)
        let v = f.multiply(p.x, i)
        let x3 = f.subtract(f.subtract(f.square(r), j), f.add(v, v))
        let y1j = f.multiply(p.y, j)
        let y3 = f.subtract(f.multiply(r, f.subtract(v, x3)), f.add(y1j, y1j))
        let zh = f.add(p.z, h)
        let z3 = f.subtract(f.subtract(f.square(zh), z1z1), hh)
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// P, 3P, 5P, …, (2·count − 1)P, affine (x, y) in Montgomery form, from an affine P: the
    /// multiples come from the complete formulas (no exceptional case can arise) and share one
    /// inversion.
    func oddMultiples(_ point: ProjectivePoint<N>, count: Int) -> [Limbs<N>] {
        var points = [point]
        let twice = double(point)
        for _ in 1..<count { points.append(add(points[points.count - 1], twice)) }
        return affineCoordinates(points, invert: field.invertVariableTime)
    }

    /// u1·G + u2·Q for PUBLIC u1, u2 and an affine Q (z = 1, as ``decodePoint(_:)`` returns it), in
    /// Jacobian coordinates.
    func multiplyPublicJacobian(base u1: Limbs<N>, _ u2: Limbs<N>, _ q: ProjectivePoint<N>) -> JacobianPoint<N> {
        let qTable = oddMultiples(q, count: 8)
        let digits1 = nonAdjacentForm(u1, width: 7)
        let digits2 = nonAdjacentForm(u2, width: 5)
        var accumulator = JacobianPoint<N>(x: field.one, y: field.one, z: .zero)
        for i in stride(from: max(digits1.count, digits2.count) - 1, through: 0, by: -1) {
            if accumulator.z.zeroMask == 0 { accumulator = jacobianDouble(accumulator) }
            if i < digits1.count, digits1[i] != 0 { accumulator = jacobianAdd(accumulator, digit: digits1[i], of: generatorOddMultiples) }
            if i < digits2.count, digits2[i] != 0 { accumulator = jacobianAdd(accumulator, digit: digits2[i], of: qTable) }
        }
        return accumulator
    }

    /// P + d·Q for an odd NAF digit d, from Q's odd multiples (|d|·Q is entry |d| >> 1; −d negates y).
    @inline(__always)
    private func jacobianAdd(_ p: JacobianPoint<N>, digit: Int8, of multiples: [Limbs<N>]) -> JacobianPoint<N> {
        let index = 2 * (abs(Int(digit)) >> 1)
        let y = multiples[index + 1]
        return jacobianAdd(p, x: multiples[index], y: digit < 0 ? field.negate(y) : y)
    }
}

/// The width-w non-adjacent form of a PUBLIC k: digits dᵢ, least significant first, each zero or odd
/// with |dᵢ| < 2^(w−1), k = Σ dᵢ·2ⁱ, and any w consecutive digits hold at most one non-zero.
func nonAdjacentForm<let N: Int>(_ scalar: Limbs<N>, width w: Int) -> [Int8] {
    var k = scalar
    var digits: [Int8] = []
    digits.reserveCapacity(64 * N + 1)
    let window = UInt64(1) << UInt64(w), half = Int64(1) << Int64(w - 1)
    var remaining = k.zeroMask == 0
    // One extra limb of headroom: subtracting a negative digit can carry past the top.
    var top: UInt64 = 0
    while remaining {
        var digit: Int64 = 0
        if k[0] & 1 == 1 {
            digit = Int64(k[0] & (window - 1))
            if digit >= half { digit -= Int64(window) }
            // k −= digit
            if digit > 0 {
                let (v, borrow) = k.subtractingWithBorrow(.word(UInt64(digit)))
                k = v; top &-= borrow
            } else {
                let (v, carry) = k.addingWithCarry(.word(UInt64(-digit)))
                k = v; top &+= carry
            }
        }
        digits.append(Int8(digit))
        // k >>= 1 (with the headroom limb)
        for i in 0..<N { k[i] = (k[i] >> 1) | ((i + 1 < N ? k[i + 1] : top) << 63) }
        top >>= 1
        remaining = k.zeroMask == 0 || top != 0
    }
    return digits
}

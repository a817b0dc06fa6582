// SPDX-License-Identifier: Apache-2.0

/// A UTC instant with one-second precision, as X.509 validity and CSR API timestamps need it.
///
/// Parsed from DER UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) and GeneralizedTime
/// (`YYYYMMDDHHMMSSZ`, no fraction, no offset) exactly as RFC 5280 §4.1.2.5 requires, with calendar
/// range checks including leap years. No Foundation: the civil-date arithmetic is here.
public struct DERTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// From calendar fields; nil when a field is out of range.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        guard (0...9999).contains(year), (1...12).contains(month), (1...DERTime.daysIn(month, year)).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let days = DERTime.daysFromCivil(year, month, day)
        secondsSinceEpoch = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Calendar fields (proleptic Gregorian, UTC).
    public var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        // Floor division without forming secondsSinceEpoch − 86 399 (which overflows near Int64.min).
        let (quotient, remainder) = secondsSinceEpoch.quotientAndRemainder(dividingBy: 86_400)
        let days = remainder < 0 ? quotient - 1 : quotient
        let rest = Int(remainder < 0 ? remainder + 86_400 : remainder)
        let (y, m, d) = DERTime.civilFromDays(days)
        return (y, m, d, rest / 3600, rest / 60 % 60, rest % 60)
    }

    /// RFC 3339 / ISO 8601 in UTC: `2026-01-02T03:04:05Z`.
    public var rfc3339: String {
        let c = components
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))Z"
    }

    public var description: String { rfc3339 }

    public static func < (lhs: DERTime, rhs: DERTime) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (also `+00:00` and a fraction, which is truncated); nil otherwise.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x74, b[13] == 0x3A, b[16] == 0x3A,
            let year = DERTime.digits(b[0..<4]), let month = DERTime.digits(b[5..<7]), let day = DERTime.digits(b[8..<10]),
            let hour = DERTime.digits(b[11..<13]), let minute = DERTime.digits(b[14..<16]),
            let second = DERTime.digits(b[17..<19])
        else { return nil }
        var rest = b[19...]
        if rest.first == 0x2E {
            rest = rest.dropFirst()
            let fraction = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard !fraction.isEmpty else { return nil }
            rest = rest.dropFirst(fraction.count)
        }
        var offsetSeconds = 0
        if rest.elementsEqual([0x5A]) || rest.elementsEqual([0x7A]) {
            offsetSeconds = 0
        } else if rest.count == 6, rest.first == 0x2B || rest.first == 0x2D, rest[rest.startIndex + 3] == 0x3A,
            let oh = DERTime.digits(rest.dropFirst().prefix(2)), let om = DERTime.digits(rest.suffix(2)), oh < 24, om < 60
        {
            offsetSeconds = (oh * 3600 + om * 60) * (rest.first == 0x2B ? 1 : -1)
        } else {
            return nil
        }
        guard let base = DERTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else { return nil }
        self.init(secondsSinceEpoch: base.secondsSinceEpoch - Int64(offsetSeconds))
    }

    // MARK: DER

    /// Parses a UTCTime or GeneralizedTime element under RFC 5280's DER profile.
    public init(element: DERElement) throws {
        let b = element.content
        func bad(_ why: String) -> DERError {
            DERError(.invalidValue, "\(element.tag) \(why)", offset: element.offset)
        }
        let year: Int
        let fields: ArraySlice<UInt8>
        switch element.tag {
        case .utcTime:
            guard b.count == 13, b.last == 0x5A else { throw bad("must be exactly YYMMDDHHMMSSZ") }
            guard let yy = DERTime.digits(b.prefix(2)) else { throw bad("has a non-digit in the year") }
            year = yy >= 50 ? 1900 + yy : 2000 + yy
            fields = b.dropFirst(2).dropLast()
        case .generalizedTime:
            guard b.count == 15, b.last == 0x5A else { throw bad("must be exactly YYYYMMDDHHMMSSZ (no fraction, no offset)") }
            guard let yyyy = DERTime.digits(b.prefix(4)) else { throw bad("has a non-digit in the year") }
            year = yyyy
            fields = b.dropFirst(4).dropLast()
        default:
            throw DERError(.unexpectedTag, "expected UTCTime or GeneralizedTime, found \(element.tag)", offset: element.offset)
        }
        var values: [Int] = []
        var i = fields.startIndex
        while i < fields.endIndex {
            guard let v = DERTime.digits(fields[i..<(i + 2)]) else { throw bad("has a non-digit") }
            values.append(v)
            i += 2
        }
        guard let time = DERTime(year: year, month: values[0], day: values[1], hour: values[2], minute: values[3], second: values[4])
        else { throw bad("has a field out of range") }
        self = time
    }

    /// The RFC 5280 encoding: UTCTime for 1950–2049, GeneralizedTime otherwise.
    public var derEncoding: (tag: ASN1Tag, content: [UInt8]) {
        let c = components
        let tail = pad(c.month, 2) + pad(c.day, 2) + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
        if (1950...2049).contains(c.year) {
            return (.utcTime, Array((pad(c.year % 100, 2) + tail).utf8))
        }
        return (.generalizedTime, Array((pad(c.year, 4) + tail).utf8))
    }

    // MARK: Calendar arithmetic (proleptic Gregorian; era-based day counting)

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 for a civil date.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date for days since 1970-01-01.
    static func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    static func digits(_ bytes: some Collection<UInt8>) -> Int? {
        var value = 0
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(Int(b - 0x30))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DERTime {
    /// The current time from the system clock, truncated to whole seconds.
    public static func now() -> DERTime {
        DERTime(secondsSinceEpoch: Int64(time(nil)))
    }

    /// Saturates at the ends of the Int64 range instead of trapping on overflow.
    public func adding(seconds: Int64) -> DERTime {
        let (sum, overflow) = secondsSinceEpoch.addingReportingOverflow(seconds)
        return DERTime(secondsSinceEpoch: overflow ? (seconds > 0 ? .max : .min) : sum)
    }
}

import Crypto
import MIFACore

/// The keys an ``S3Store`` signs its requests with: an access key id, its secret and, for
/// temporary credentials, a session token.
public struct S3Credentials: Sendable, Hashable {
    /// The access key id (`AWS_ACCESS_KEY_ID`).
    public var accessKeyID: String
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`).
    public var secretAccessKey: String
    /// The session token of temporary credentials (`AWS_SESSION_TOKEN`), if any.
    public var sessionToken: String?

    /// Credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4 for S3 requests, with the `Authorization` header
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
///
/// Pure: the time is given, nothing is read from the environment, so it is checked against the
/// published examples (`S3SignerTests`).
public struct S3Signer: Sendable {
    /// The keys.
    public let credentials: S3Credentials
    /// The region, e.g. `us-east-1`.
    public let region: String
    /// The service, `s3`.
    public let service: String
    /// The signing key of the last day signed for: it depends on the day, region and service only,
    /// and deriving it is four HMACs, so it is derived once a day rather than once a request.
    private let keys = LockedState<(day: String, key: SymmetricKey)?>(nil)

    /// A signer for `service` in `region`.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The hex SHA-256 of the empty payload.
    public static let emptyPayloadHash = hex(SHA256.hash(data: [UInt8]()))

    /// The hex SHA-256 of a payload, as `x-amz-content-sha256` carries it.
    public static func payloadHash(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// The headers to add to a request so that it is signed: `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` with temporary credentials, and `Authorization`.
    /// - Parameters:
    ///   - method: `GET`, `PUT`, ...
    ///   - path: the URI path exactly as sent, already percent-encoded (``uriEncode(_:encodeSlash:)``).
    ///   - query: the query parameters, not encoded; they are sent as ``canonicalQuery(_:)`` writes them.
    ///   - headers: the other headers to sign (`Host` included), names in any case.
    ///   - payloadHash: the hex SHA-256 of the body (``payloadHash(_:)``).
    ///   - time: seconds since 1970 (UTC).
    /// - Returns: the headers to add.
    public func sign(method: String, path: String, query: [(String, String)], headers: [(name: String, value: String)],
                     payloadHash: String, time: Int) -> [(name: String, value: String)] {
        let amzDate = Self.timestamp(time)
        var added = [(name: "x-amz-date", value: amzDate), (name: "x-amz-content-sha256", value: payloadHash)]
        if let token = credentials.sessionToken { added.append((name: "x-amz-security-token", value: token)) }
        let signing = signature(method: method, path: path, query: query, headers: headers + added, payloadHash: payloadHash, amzDate: amzDate)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(amzDate)), SignedHeaders=\(signing.signedHeaders), Signature=\(signing.signature)"
        return added + [(name: "Authorization", value: authorization)]
    }

    /// The canonical request, string to sign and signature of a request whose headers are all given
    /// (`x-amz-date` included).
    /// - Returns: the parts, for tests and messages.
    public func signature(method: String, path: String, query: [(String, String)], headers: [(name: String, value: String)],
                          payloadHash: String, amzDate: String) -> (canonicalRequest: String, stringToSign: String, signedHeaders: String, signature: String) {
        var canonical: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            let trimmed = Self.collapseSpaces(value)
            canonical[key] = canonical[key].map { "\($0),\(trimmed)" } ?? trimmed
        }
        let names = canonical.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalHeaders = names.map { "\($0):\(canonical[$0]!)\n" }.joined()
        let canonicalRequest = [method, path.isEmpty ? "/" : path, Self.canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash]
            .joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope(amzDate), Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: String(amzDate.prefix(8)))))
        return (canonicalRequest, stringToSign, signedHeaders, signature)
    }

    /// The signing key of `day` (`yyyyMMdd`): HMAC-SHA256 of the day, region, service and
    /// `aws4_request` in turn, from `AWS4` and the secret; the last one derived is kept.
    private func signingKey(day: String) -> SymmetricKey {
        if let kept = keys.withLock({ $0 }), kept.day == day { return kept.key }
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        keys.withLock { $0 = (day, key) }
        return key
    }

    /// `yyyyMMdd/region/service/aws4_request`.
    private func scope(_ amzDate: String) -> String { "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request" }

    /// The query string as signed and sent: each name and value URI-encoded, sorted by name, then value.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (uriEncode($0.0), uriEncode($0.1)) }
        return encoded.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
            .map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding as SigV4 defines it: every byte but `A-Z a-z 0-9 - . _ ~` (and
    /// `/` unless `encodeSlash`) as `%XX` with upper-case hex digits.
    public static func uriEncode(_ text: String, encodeSlash: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case _ where StoreURL.isUnreserved(byte):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                out.append("/")
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                out.append("%")
                out.unicodeScalars.append(digits[Int(byte >> 4)])
                out.unicodeScalars.append(digits[Int(byte & 15)])
            }
        }
        return out
    }

    /// `yyyyMMdd'T'HHmmss'Z'` of `time` seconds since 1970 (UTC), computed without a calendar.
    public static func timestamp(_ time: Int) -> String {
        let days = time >= 0 ? time / 86400 : (time - 86399) / 86400
        let seconds = time - days * 86400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))\(pad(month, 2))\(pad(day, 2))T\(pad(seconds / 3600, 2))\(pad(seconds / 60 % 60, 2))\(pad(seconds % 60, 2))Z"
    }

    /// Leading and trailing spaces removed, runs of spaces inside made one.
    private static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var out = ""
        for byte in bytes {
            out.unicodeScalars.append(digits[Int(byte >> 4)])
            out.unicodeScalars.append(digits[Int(byte & 15)])
        }
        return out
    }
}

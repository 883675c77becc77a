import Foundation
import MIFACore

/// Where an ``S3Store`` is and how it signs: bucket, prefix, endpoint, region and credentials, as
/// the AWS command line and SDKs find them.
///
/// ``init(url:environment:)`` reads, first found wins:
/// - credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), else the
///   profile `AWS_PROFILE` (default `default`) of `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`),
///   then of `~/.aws/config` (`AWS_CONFIG_FILE`); none, or `AWS_NO_SIGN_REQUEST=true`, means
///   anonymous requests (public buckets);
/// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else `us-east-1`;
/// - endpoint: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`, else AWS
///   (`https://<bucket>.s3.<region>.amazonaws.com`, virtual-hosted). A custom endpoint (MinIO,
///   moto, Ceph, R2) is addressed path-style: `<endpoint>/<bucket>/<key>`.
public struct S3Configuration: Sendable, Hashable {
    /// The bucket.
    public var bucket: String
    /// The key prefix every store key is under: `""` or ending in `/`.
    public var prefix: String
    /// The region requests are signed for.
    public var region: String
    /// The endpoint (`scheme://host[:port]`, no path), or `nil` for AWS.
    public var endpoint: String?
    /// The keys, or `nil` for anonymous requests.
    public var credentials: S3Credentials?

    /// A configuration from its parts.
    /// - Throws: ``ZarrError`` `.storeFailure` for an invalid bucket name or endpoint, `.invalidKey`
    ///   for a prefix that is not a valid key path.
    public init(bucket: String, prefix: String = "", region: String = "us-east-1", endpoint: String? = nil, credentials: S3Credentials? = nil) throws {
        guard Self.isValidBucket(bucket) else {
            throw ZarrError(.storeFailure, "'\(bucket)' is not an S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-')",
                            context: ErrorContext(file: "s3://\(bucket)"))
        }
        try StoreKey.validatePrefix(prefix)
        var endpointText = endpoint
        while endpointText?.hasSuffix("/") == true { endpointText?.removeLast() }
        if let endpointText {
            guard let url = URL(string: endpointText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil else {
                throw ZarrError(.storeFailure, "the S3 endpoint '\(endpointText)' is not an http:// or https:// URL of a server (no path); check AWS_ENDPOINT_URL",
                                context: ErrorContext(file: endpointText))
            }
        }
        self.bucket = bucket
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.region = region
        self.endpoint = endpointText
        self.credentials = credentials
    }

    /// The configuration of `s3://bucket/prefix`, completed from the environment and the AWS files.
    /// - Parameters:
    ///   - url: `s3://bucket` or `s3://bucket/prefix`.
    ///   - environment: the variables to read (the process's unless given).
    /// - Throws: ``ZarrError`` `.storeFailure` for a URL that is not `s3://bucket[/prefix]`, an
    ///   access key without its secret, an invalid endpoint; `.invalidKey` for a prefix with `..`,
    ///   empty or `.` components.
    public init(url: String, environment: [String: String]? = nil) throws {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard url.lowercased().hasPrefix("s3://") else {
            throw ZarrError(.storeFailure, "'\(url)' is not an s3:// URL", context: ErrorContext(file: url))
        }
        var rest = String(url.dropFirst(5))
        while rest.hasSuffix("/") { rest.removeLast() }
        let bucket = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let prefix = rest.count > bucket.count ? String(rest.dropFirst(bucket.count + 1)) : ""
        if !prefix.isEmpty {
            do {
                try StoreKey.validatePrefix(prefix)
            } catch let error as ZarrError {
                throw ZarrError(.invalidKey, "'\(url)': \(error.message)", context: ErrorContext(file: url), underlying: error)
            }
        }
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME") ?? NSHomeDirectory()
        let profile = value("AWS_PROFILE") ?? "default"
        let credentialsFile = Self.profile(profile, in: value("AWS_SHARED_CREDENTIALS_FILE") ?? "\(home)/.aws/credentials", configStyle: false)
        let configFile = Self.profile(profile, in: value("AWS_CONFIG_FILE") ?? "\(home)/.aws/config", configStyle: true)

        var credentials: S3Credentials?
        if let id = value("AWS_ACCESS_KEY_ID") {
            guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
                throw ZarrError(.storeFailure, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither for anonymous access",
                                context: ErrorContext(file: url))
            }
            credentials = S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        } else {
            for file in [credentialsFile, configFile] {
                if let id = file["aws_access_key_id"], let secret = file["aws_secret_access_key"] {
                    credentials = S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: file["aws_session_token"])
                    break
                }
            }
        }
        if ["true", "1", "yes"].contains(value("AWS_NO_SIGN_REQUEST")?.lowercased() ?? "") { credentials = nil }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? configFile["region"] ?? "us-east-1"
        let endpoint = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL") ?? configFile["endpoint_url"]
        try self.init(bucket: bucket, prefix: prefix, region: region, endpoint: endpoint, credentials: credentials)
    }

    /// The URL of the bucket (no trailing slash): `<endpoint>/<bucket>` path-style for a custom
    /// endpoint, `https://<bucket>.s3.<region>.amazonaws.com` on AWS (path-style there too for a
    /// bucket name with dots, which a virtual host's certificate does not cover).
    public var bucketURL: String {
        if let endpoint { return "\(endpoint)/\(bucket)" }
        if bucket.contains(".") { return "https://s3.\(region).amazonaws.com/\(bucket)" }
        return "https://\(bucket).s3.\(region).amazonaws.com"
    }

    /// `s3://bucket/prefix`.
    public var url: String { "s3://\(bucket)/\(prefix)" }

    /// S3's bucket naming rules (the lower-case ones every region accepts).
    static func isValidBucket(_ name: String) -> Bool {
        (3...63).contains(name.utf8.count)
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2D }
            && name.first != "." && name.first != "-" && name.last != "." && name.last != "-" && !name.contains("..")
    }

    /// The `key = value` settings of one profile of an AWS credentials or config file (in the
    /// config file, `[profile NAME]`, or `[default]`); empty when the file or profile is missing.
    /// Files over 1 MiB are not read.
    static func profile(_ name: String, in path: String, configStyle: Bool) -> [String: String] {
        guard let bytes = try? RegularFile.contents(of: path, limit: 1 << 20, followingLinks: true),
              let text = String(validating: bytes, as: UTF8.self) else { return [:] }
        let wanted = configStyle && name != "default" ? "profile \(name)" : name
        var settings: [String: String] = [:]
        var inProfile = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let section = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                inProfile = section.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") == wanted
                continue
            }
            guard inProfile, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if !key.isEmpty, !value.isEmpty { settings[key] = value }
        }
        return settings
    }
}

import TestSupport
import Foundation
import MIFACore
import Testing
@testable import Zarr

/// SigV4 against published vectors, the S3 XML reader, where the configuration comes from, and
/// how strings name stores. The S3 store itself runs the conformance suite
/// (`StoreConformanceTests.s3Store`) against a real S3-compatible server.
@Suite struct S3StoreTests {
    // MARK: - Signature Version 4

    /// AWS's Signature Version 4 test suite, `get-vanilla` (service `service`).
    @Test func signsTheGetVanillaVector() {
        let signer = S3Signer(credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                              region: "us-east-1", service: "service")
        let result = signer.signature(method: "GET", path: "/", query: [],
                                      headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
                                      payloadHash: S3Signer.emptyPayloadHash, amzDate: "20150830T123600Z")
        #expect(result.signedHeaders == "host;x-amz-date")
        #expect(result.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    /// A signer keeps the signing key of the last day it signed for: signing on another day and
    /// back again gives each day's signature, as a new signer does.
    @Test func oneSignerSignsEachDayWithThatDaysKey() {
        let credentials = S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        func signature(_ signer: S3Signer, _ amzDate: String) -> String {
            signer.signature(method: "GET", path: "/", query: [], headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", amzDate)],
                             payloadHash: S3Signer.emptyPayloadHash, amzDate: amzDate).signature
        }
        let kept = S3Signer(credentials: credentials, region: "us-east-1", service: "service")
        let vanilla = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        #expect(signature(kept, "20150830T123600Z") == vanilla)
        let nextDay = signature(kept, "20150831T123600Z")
        #expect(nextDay == signature(S3Signer(credentials: credentials, region: "us-east-1", service: "service"), "20150831T123600Z"))
        #expect(nextDay != vanilla)
        #expect(signature(kept, "20150830T123600Z") == vanilla)
    }

    /// The S3 documentation's example "GET Object" (the first 10 bytes of `test.txt`).
    @Test func signsTheS3GetObjectExample() {
        let signer = S3Signer(credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                              region: "us-east-1")
        let headers = signer.sign(method: "GET", path: "/test.txt", query: [],
                                  headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
                                  payloadHash: S3Signer.emptyPayloadHash, time: 1_369_353_600)
        let result = signer.signature(method: "GET", path: "/test.txt", query: [],
                                      headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")] + headers.dropLast(),
                                      payloadHash: S3Signer.emptyPayloadHash, amzDate: "20130524T000000Z")
        #expect(result.stringToSign.hasSuffix("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"))
        #expect(result.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(headers.map(\.name) == ["x-amz-date", "x-amz-content-sha256", "Authorization"])
        #expect(headers.last?.value == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    /// A signed `PUT` of a part with a query, an escaped path and a session token, against what
    /// botocore 1.43.117's `S3SigV4Auth` computed for the same request (payload signed).
    @Test func signsAsBotocoreDoes() {
        let signer = S3Signer(credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                         sessionToken: "session-token-1"), region: "eu-west-1")
        let body = Array("zarr chunk ".utf8) + [0, 1, 2]
        #expect(S3Signer.payloadHash(body) == "6898b4768b806d7ad5c30cb4973ea1e766016c6596d58ea8cb1d00696d44dfcf")
        let path = "/mifa-test/" + S3Signer.uriEncode("pkg one/images/a+b/c/0/0", encodeSlash: false)
        let headers = signer.sign(method: "PUT", path: path, query: [("uploadId", "x/y=z"), ("partNumber", "2")], headers: [("Host", "127.0.0.1:9000")],
                                  payloadHash: S3Signer.payloadHash(body), time: 1_796_572_179)
        #expect(headers.first { $0.name == "x-amz-date" }?.value == "20261206T154939Z")
        #expect(headers.first { $0.name == "x-amz-security-token" }?.value == "session-token-1")
        #expect(headers.last?.value == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=ec7063ed5fe3a471dbb1039fb937beb037329eebd1252f2c3f8f7dd825efc891")
    }

    @Test func formatsTimestampsAndEncodesAsSigV4Says() {
        #expect(S3Signer.timestamp(0) == "19700101T000000Z")
        #expect(S3Signer.timestamp(1_369_353_600) == "20130524T000000Z")
        #expect(S3Signer.timestamp(1_440_938_160) == "20150830T123600Z")
        #expect(S3Signer.timestamp(951_782_400) == "20000229T000000Z")
        #expect(S3Signer.timestamp(4_102_444_799) == "20991231T235959Z")
        #expect(S3Signer.uriEncode("a b/c~d_e-f.g+h=ü", encodeSlash: false) == "a%20b/c~d_e-f.g%2Bh%3D%C3%BC")
        #expect(S3Signer.uriEncode("a/b") == "a%2Fb")
        #expect(S3Signer.canonicalQuery([("prefix", "a/b c"), ("list-type", "2"), ("uploads", "")]) == "list-type=2&prefix=a%2Fb%20c&uploads=")
    }

    // MARK: - XML

    @Test func readsAListingPage() throws {
        let page = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
            <Contents><Key>p/a&amp;b</Key><Size>3</Size></Contents><Contents><Key>p/&#x3C;c&#62;</Key></Contents>
            <!-- a comment --><CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes><Contents><Key><![CDATA[p/e&f]]></Key></Contents>
            <IsTruncated>true</IsTruncated><NextContinuationToken>t/1=</NextContinuationToken><Empty/></ListBucketResult>
            """.utf8)
        let document = try S3XML(page, place: "test")
        #expect(document.values("ListBucketResult/Contents/Key") == ["p/a&b", "p/<c>", "p/e&f"])
        #expect(document.values("ListBucketResult/CommonPrefixes/Prefix") == ["p/d/"])
        #expect(document.value("ListBucketResult/Prefix") == "p/")
        #expect(document.value("ListBucketResult/IsTruncated") == "true")
        #expect(document.value("ListBucketResult/NextContinuationToken") == "t/1=")
        #expect(document.value("ListBucketResult/Empty") == "")
    }

    @Test func refusesMalformedXML() {
        for text in ["<a><b></a>", "<a>", "<a>&bogus;</a>", "<a>&amp</a>", "<a><!-- open", "<a><![CDATA[x</a>", "<a", "</a>",
                     String(repeating: "<x>", count: 40) + String(repeating: "</x>", count: 40)] {
            #expect(throws: ZarrError.self, "\(text)") { try S3XML(Array(text.utf8), place: "test") }
        }
    }

    // MARK: - Configuration

    @Test func takesCredentialsRegionAndEndpointFromTheEnvironment() throws {
        let config = try S3Configuration(url: "s3://my-bucket/some/prefix/", environment: [
            "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
            "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000/", "HOME": "/nonexistent",
        ])
        #expect(config.bucket == "my-bucket" && config.prefix == "some/prefix/" && config.region == "eu-west-1")
        #expect(config.credentials == S3Credentials(accessKeyID: "id", secretAccessKey: "secret", sessionToken: "token"))
        #expect(config.bucketURL == "http://127.0.0.1:9000/my-bucket")
        #expect(config.url == "s3://my-bucket/some/prefix/")

        let aws = try S3Configuration(url: "s3://my-bucket", environment: ["HOME": "/nonexistent", "AWS_REGION": "us-west-2"])
        #expect(aws.credentials == nil && aws.prefix == "")
        #expect(aws.bucketURL == "https://my-bucket.s3.us-west-2.amazonaws.com")
        #expect(try S3Configuration(url: "s3://my.bucket", environment: ["HOME": "/nonexistent"]).bucketURL == "https://s3.us-east-1.amazonaws.com/my.bucket")

        let anonymous = try S3Configuration(url: "s3://my-bucket", environment: [
            "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_NO_SIGN_REQUEST": "true", "HOME": "/nonexistent",
        ])
        #expect(anonymous.credentials == nil)
    }

    @Test func readsProfilesFromTheAWSFiles() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file(".aws"), withIntermediateDirectories: true)
        try """
            [default]
            aws_access_key_id = default-id
            aws_secret_access_key = default-secret
            [lab]
            aws_access_key_id=lab-id
            aws_secret_access_key=lab-secret
            aws_session_token = lab-token
            """.write(toFile: directory.file(".aws/credentials"), atomically: true, encoding: .utf8)
        try """
            [default]
            region = ap-south-1
            # a comment
            [profile lab]
            region = eu-central-1
            endpoint_url = https://s3.lab.example.org
            """.write(toFile: directory.file(".aws/config"), atomically: true, encoding: .utf8)
        let base = try S3Configuration(url: "s3://bucket-a/x", environment: ["HOME": directory.path])
        #expect(base.credentials?.accessKeyID == "default-id" && base.region == "ap-south-1" && base.endpoint == nil)
        let lab = try S3Configuration(url: "s3://bucket-a/x", environment: ["HOME": directory.path, "AWS_PROFILE": "lab"])
        #expect(lab.credentials == S3Credentials(accessKeyID: "lab-id", secretAccessKey: "lab-secret", sessionToken: "lab-token"))
        #expect(lab.region == "eu-central-1" && lab.bucketURL == "https://s3.lab.example.org/bucket-a")
        // The variables win over the files.
        let overridden = try S3Configuration(url: "s3://bucket-a", environment: ["HOME": directory.path, "AWS_REGION": "us-east-2",
                                                                                  "AWS_ACCESS_KEY_ID": "env-id", "AWS_SECRET_ACCESS_KEY": "env-secret"])
        #expect(overridden.credentials?.accessKeyID == "env-id" && overridden.region == "us-east-2")
    }

    @Test func refusesWhatCannotNameABucketOrLeavesThePrefix() {
        let environment = ["HOME": "/nonexistent"]
        for url in ["s3://", "s3://UPPER", "s3://ab", "s3://-bucket", "s3://bucket_x", "s3://a..b/x", "s3://bucket/a/../b", "s3://bucket/./a", "s3://bucket/a//b"] {
            #expect(throws: ZarrError.self, "\(url)") { try S3Configuration(url: url, environment: environment) }
        }
        #expect(throws: ZarrError.self) { try S3Configuration(url: "s3://bucket", environment: ["HOME": "/nonexistent", "AWS_ACCESS_KEY_ID": "only-the-id"]) }
        #expect(throws: ZarrError.self) { try S3Configuration(url: "s3://bucket", environment: ["HOME": "/nonexistent", "AWS_ENDPOINT_URL": "ftp://host"]) }
        #expect(throws: ZarrError.self) { try S3Configuration(url: "s3://bucket", environment: ["HOME": "/nonexistent", "AWS_ENDPOINT_URL": "http://host/path"]) }
    }

    // MARK: - Stores named by strings

    @Test func namesStoresByURLAndRefusesOtherSchemes() throws {
        #expect(StoreURL.scheme(of: "s3://bucket/x") == "s3")
        #expect(StoreURL.scheme(of: "HTTPS://host/x") == "https")
        #expect(StoreURL.scheme(of: "/data/image.zarr") == nil)
        #expect(StoreURL.scheme(of: "data/a://b") == nil)
        #expect(try StoreURL.openRemote("/data/image.zarr") == nil)
        #expect(try StoreURL.openRemote("http://127.0.0.1:1/x") is HTTPStore)
        let s3 = try #require(try StoreURL.openRemote("s3://bucket-a/p") as? S3Store)
        #expect(!s3.isWritable)
        #expect(try StoreURL.openRemote("s3://bucket-a/p", writable: true)?.isWritable == true)
        for refused in ["ftp://host/x", "gs://bucket/x", "file:///tmp/x"] {
            #expect(throws: ZarrError.self, "\(refused)") { try StoreURL.openRemote(refused) }
        }
        #expect(throws: ZarrError.self) { try StoreURL.openRemote("https://host/x", writable: true) }
    }
}

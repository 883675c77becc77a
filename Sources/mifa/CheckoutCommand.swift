import ArgumentParser
import DatasetPackage
import MIFACore

/// `mifa checkout <package> <version> <out-dir>`: restores a version bit for bit into a new folder.
struct CheckoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkout",
        abstract: "Restore any version of a package, bit for bit, into a new folder.",
        discussion: """
            Writes the version's content (zarr.json, mifa.json, images/, annotations/) into <out-dir>, \
            which must not exist, each file checked against the digest its version recorded (files \
            replaced since come from versions/objects/). The result is the version's tree without \
            history. Exit 0: restored; 1: unknown version, missing or altered object, or <out-dir> exists.
            """)

    @Argument(help: "The package: a folder, a .zip made by `mifa export --to zip`, an http(s):// or an s3://bucket/prefix URL.")
    var package: String

    @Argument(help: "The version to restore.")
    var version: String

    @Argument(help: "A new folder to restore into.")
    var outDir: String

    func run() throws {
        _ = try PackagePath.local(outDir, command: "checkout")
        let opened = try DatasetPackage.open(package)
        let bar = ProgressBar(unit: "files")
        try opened.restore(version: version, to: outDir, progress: bar.update)
        bar.finish()
        let list = try opened.fileList(of: version)
        print("restored version \(version) of \(package) to \(outDir): \(list.files.count) files, \(list.totalBytes) bytes, every digest checked")
    }
}

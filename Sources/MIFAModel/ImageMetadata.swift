/// One image of the dataset: the image module of MIFA, which is REMBI
/// (https://doi.org/10.1038/s41592-021-01166-8), limited to what matters for reuse.
///
/// Required: ``id`` (unique in the document; annotations name it as `source_image_id`). Pixel sizes,
/// axes and units come from the OME-Zarr image itself and are not repeated here.
public struct ImageMetadata: Codable, Sendable, Hashable {
    /// `id`* : the image's identifier.
    public var id: String?
    /// `path`: where the image is inside the package.
    public var path: String?
    /// `name`: a human-readable name.
    public var name: String?
    /// `biosample`: what was imaged.
    public var biosample: Biosample?
    /// `specimen`: how it was prepared.
    public var specimen: Specimen?
    /// `image_acquisition`: how it was imaged.
    public var imageAcquisition: ImageAcquisition?
    /// `image_correlation`: how it aligns with other images.
    public var imageCorrelation: ImageCorrelation?
    /// `split`: the machine-learning split the image belongs to (`train`, `validation`, `test`, or
    /// any named split); an image is in at most one split, and its annotations are in it with it.
    public var split: String?

    /// An image record; every field is optional.
    public init(
        id: String? = nil, path: String? = nil, name: String? = nil, biosample: Biosample? = nil,
        specimen: Specimen? = nil, imageAcquisition: ImageAcquisition? = nil, imageCorrelation: ImageCorrelation? = nil,
        split: String? = nil
    ) {
        self.split = split
        self.id = id
        self.path = path
        self.name = name
        self.biosample = biosample
        self.specimen = specimen
        self.imageAcquisition = imageAcquisition
        self.imageCorrelation = imageCorrelation
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id
        case path
        case name
        case biosample
        case specimen
        case imageAcquisition = "image_acquisition"
        case imageCorrelation = "image_correlation"
        case split
    }
}

/// REMBI biosample: the biological entity imaged.
public struct Biosample: Codable, Sendable, Hashable {
    /// `biological_entity`: what was imaged (tissue, cell line, ...).
    public var biologicalEntity: String?
    /// `organism`: the organism it comes from.
    public var organism: Organism?
    /// `intrinsic_variables`: genetic or intrinsic characteristics.
    public var intrinsicVariables: [String]?
    /// `extrinsic_variables`: external treatments (reagents, conditions).
    public var extrinsicVariables: [String]?
    /// `experimental_variables`: what was varied in the experiment.
    public var experimentalVariables: [String]?

    /// A biosample; every field is optional.
    public init(
        biologicalEntity: String? = nil, organism: Organism? = nil, intrinsicVariables: [String]? = nil,
        extrinsicVariables: [String]? = nil, experimentalVariables: [String]? = nil
    ) {
        self.biologicalEntity = biologicalEntity
        self.organism = organism
        self.intrinsicVariables = intrinsicVariables
        self.extrinsicVariables = extrinsicVariables
        self.experimentalVariables = experimentalVariables
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case biologicalEntity = "biological_entity"
        case organism
        case intrinsicVariables = "intrinsic_variables"
        case extrinsicVariables = "extrinsic_variables"
        case experimentalVariables = "experimental_variables"
    }
}

/// REMBI organism.
public struct Organism: Codable, Sendable, Hashable {
    /// `scientific_name`: e.g. `Danio rerio`.
    public var scientificName: String?
    /// `common_name`: e.g. `zebrafish`.
    public var commonName: String?
    /// `ncbi_taxon_id`: NCBI taxonomy id, e.g. `7955` (text, as YAML and JSON both keep it).
    public var ncbiTaxonID: String?

    /// An organism; every field is optional.
    public init(scientificName: String? = nil, commonName: String? = nil, ncbiTaxonID: String? = nil) {
        self.scientificName = scientificName
        self.commonName = commonName
        self.ncbiTaxonID = ncbiTaxonID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case scientificName = "scientific_name"
        case commonName = "common_name"
        case ncbiTaxonID = "ncbi_taxon_id"
    }
}

/// REMBI specimen: how the biosample was prepared for imaging.
public struct Specimen: Codable, Sendable, Hashable {
    /// `preparation_protocol`: the sample preparation.
    public var preparationProtocol: String?

    /// A specimen; every field is optional.
    public init(preparationProtocol: String? = nil) {
        self.preparationProtocol = preparationProtocol
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case preparationProtocol = "preparation_protocol"
    }
}

/// REMBI image acquisition.
public struct ImageAcquisition: Codable, Sendable, Hashable {
    /// `imaging_method`: the method, with its FBbi ontology term.
    public var imagingMethod: ImagingMethod?
    /// `instrument`: the microscope or instrument.
    public var instrument: String?
    /// `parameters`: acquisition parameters.
    public var parameters: String?

    /// An acquisition; every field is optional.
    public init(imagingMethod: ImagingMethod? = nil, instrument: String? = nil, parameters: String? = nil) {
        self.imagingMethod = imagingMethod
        self.instrument = instrument
        self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case imagingMethod = "imaging_method"
        case instrument
        case parameters
    }
}

/// An imaging method and its Biological Imaging Methods Ontology (FBbi) id.
public struct ImagingMethod: Codable, Sendable, Hashable {
    /// `value`: the method's name, e.g. `confocal microscopy`.
    public var value: String?
    /// `fbbi_id`: e.g. `FBbi:00000251`.
    public var fbbiID: String?

    /// An imaging method; every field is optional.
    public init(value: String? = nil, fbbiID: String? = nil) {
        self.value = value
        self.fbbiID = fbbiID
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case value
        case fbbiID = "fbbi_id"
    }
}

/// REMBI image correlation: how this image aligns with others.
public struct ImageCorrelation: Codable, Sendable, Hashable {
    /// `spatial_and_temporal_alignment`: how images were aligned.
    public var spatialAndTemporalAlignment: String?
    /// `fiducials_used`: fiducial markers used.
    public var fiducialsUsed: String?
    /// `transformation_matrix`: the transformation, as text.
    public var transformationMatrix: String?

    /// A correlation; every field is optional.
    public init(spatialAndTemporalAlignment: String? = nil, fiducialsUsed: String? = nil, transformationMatrix: String? = nil) {
        self.spatialAndTemporalAlignment = spatialAndTemporalAlignment
        self.fiducialsUsed = fiducialsUsed
        self.transformationMatrix = transformationMatrix
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case spatialAndTemporalAlignment = "spatial_and_temporal_alignment"
        case fiducialsUsed = "fiducials_used"
        case transformationMatrix = "transformation_matrix"
    }
}

/// The integer ids a COCO file gets for a document's images, categories and annotations.
struct COCOIdentifiers {
    /// The category given to annotations without one (COCO needs a `category_id`).
    static let defaultCategory = Category(id: .string("mifa:object"), name: "object")

    private(set) var images: [ImageReference]
    private(set) var categories: [Category]
    private var imageNumbers: [Identifier: Int64] = [:]
    private var imageIndex: [Identifier: Int] = [:]
    private var categoryNumbers: [Identifier: Int64] = [:]
    private var usedAnnotationNumbers = Set<Int64>()
    private var nextAnnotation: Int64 = 1

    init(_ document: AnnotationDocument) {
        images = document.images
        // Every image an annotation names must be listed (a results file lists none).
        var knownImages = Set(images.map(\.id))
        for annotation in document.annotations {
            if let id = annotation.imageID, knownImages.insert(id).inserted { images.append(ImageReference(id: id)) }
        }
        if images.isEmpty {
            // One image: take its size from the first mask.
            var image = ImageReference(id: 1)
            for annotation in document.annotations {
                if case .mask(let rle) = annotation.value {
                    image.width = rle.width
                    image.height = rle.height
                    break
                }
            }
            images = [image]
        }
        categories = document.categories
        // Every category an annotation names must be listed too.
        var knownCategories = Set(categories.map(\.id))
        for annotation in document.annotations {
            if let id = annotation.categoryID, knownCategories.insert(id).inserted { categories.append(Category(id: id, name: id.description)) }
        }
        if document.annotations.contains(where: { $0.categoryID == nil }) || (categories.isEmpty && !document.annotations.isEmpty) {
            categories.append(Self.defaultCategory)
        }
        imageNumbers = Self.numbers(for: images.map(\.id))
        for (index, image) in images.enumerated() where imageIndex[image.id] == nil { imageIndex[image.id] = index }
        categoryNumbers = Self.numbers(for: categories.map(\.id))
        for annotation in document.annotations {
            if let value = annotation.id?.intValue { usedAnnotationNumbers.insert(value) }
        }
    }

    /// Integers for ids: integer ids (and decimal strings) keep their value, others get the next free one.
    private static func numbers(for ids: [Identifier]) -> [Identifier: Int64] {
        var result: [Identifier: Int64] = [:]
        var used = Set<Int64>()
        for id in ids {
            if let value = id.intValue, used.insert(value).inserted { result[id] = value }
        }
        var next: Int64 = 1
        for id in ids where result[id] == nil {
            while used.contains(next) { next += 1 }
            result[id] = next
            used.insert(next)
        }
        return result
    }

    func image(_ id: Identifier) -> Int64 { imageNumbers[id] ?? id.intValue ?? 1 }

    func category(_ id: Identifier) -> Int64 { categoryNumbers[id] ?? id.intValue ?? 1 }

    /// The image an annotation belongs to (the only image when it names none).
    func imageReference(for annotation: Annotation) -> ImageReference? {
        if let id = annotation.imageID { return imageIndex[id].map { images[$0] } }
        return images.first
    }

    mutating func annotation(_ id: Identifier?, index: Int) -> Int64 {
        if let value = id?.intValue { return value }
        while usedAnnotationNumbers.contains(nextAnnotation) { nextAnnotation += 1 }
        usedAnnotationNumbers.insert(nextAnnotation)
        return nextAnnotation
    }
}

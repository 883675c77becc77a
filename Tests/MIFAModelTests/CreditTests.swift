import Testing
@testable import MIFAModel

@Suite struct CreditTests {
    @Test func identityPrefersORCIDThenNormalisedName() {
        #expect(Author(authorFirstName: "Ada", orcidID: "https://orcid.org/0000-0002-9079-593X").identity == .orcid("0000-0002-9079-593X"))
        #expect(Author(authorFirstName: " Wolfgang ", authorLastName: "Dörr").identity == .name("wolfgang dorr"))
        #expect(Author(authorFirstName: "Inge  M.", authorLastName: "AMBROS").identity == .name("inge m. ambros"))
        #expect(Author().identity == nil)
    }

    @Test func samePersonAcrossForms() {
        let withORCID = Author(authorFirstName: "Ada", authorLastName: "Lindqvist", orcidID: "0000-0002-9079-593X")
        let withoutORCID = Author(authorFirstName: "ada", authorLastName: "lindqvist")
        let other = Author(authorFirstName: "Ada", authorLastName: "Lindqvist", orcidID: "0000-0002-1825-0097")
        #expect(withORCID.isSamePerson(as: withoutORCID))
        #expect(!withORCID.isSamePerson(as: other))
    }

    @Test func creditedAnnotatorsAndLostCredit() {
        let ada = Author(authorFirstName: "Ada", authorLastName: "Lindqvist", orcidID: "0000-0002-9079-593X")
        let bo = Author(authorFirstName: "Bo", authorLastName: "Berg")
        let v1 = MIFADocument(annotations: [AnnotationSet(authors: [ada, bo]), AnnotationSet(authors: [ada])])
        #expect(v1.creditedAnnotators == [ada, bo])
        #expect(Set(v1.creditedAnnotators.compactMap(\.identity)) == [.orcid("0000-0002-9079-593X"), .name("bo berg")])
        let v2 = MIFADocument(annotations: [AnnotationSet(authors: [Author(authorFirstName: "Ada", authorLastName: "Lindqvist")])])
        #expect(v2.annotatorsMissingCredit(comparedTo: v1) == [bo])
        #expect(v1.annotatorsMissingCredit(comparedTo: v2).isEmpty)
    }
}

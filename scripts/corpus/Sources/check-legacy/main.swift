import CorpusCheck
import CorpusLegacy
import Foundation

exit(CorpusReport.main(label: "legacy", endpoints: FalEndpoints.all))

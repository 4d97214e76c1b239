import Corpus
import CorpusCheck
import Foundation

exit(CorpusReport.main(label: "current", endpoints: FalEndpoints.all))

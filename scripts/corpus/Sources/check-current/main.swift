import Corpus
import CorpusCheck
import Foundation

exit(CorpusReport.run(label: "current", documents: CommandLine.arguments[1], endpoints: FalEndpoints.all))

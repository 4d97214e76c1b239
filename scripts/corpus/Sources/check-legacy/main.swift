import CorpusCheck
import CorpusLegacy
import Foundation

exit(CorpusReport.run(label: "legacy", documents: CommandLine.arguments[1], endpoints: FalEndpoints.all))

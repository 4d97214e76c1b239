import FalCodegen

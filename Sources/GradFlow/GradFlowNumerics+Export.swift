@_exported import GradFlowNumerics

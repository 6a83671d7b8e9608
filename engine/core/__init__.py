"""The core every algorithm shares: the step record, parameter declarations and checks, the registry."""

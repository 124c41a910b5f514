"""Exceptions that the CLI turns into a clear message and exit status 2."""


class Rate2SpikeError(Exception):
    """Base class: bad input a user can fix (wrong file, option, value)."""


class ConfigError(Rate2SpikeError):
    """A configuration value or key is invalid."""


class ArtifactError(Rate2SpikeError):
    """A model file is missing, truncated, or not a rate2spike artifact."""


class TrainingError(Rate2SpikeError):
    """Training diverged (NaN/inf loss) or could not meet its criterion."""

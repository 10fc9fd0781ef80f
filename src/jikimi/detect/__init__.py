"""Detection: validators, patterns, context scoring, name and address recognizers, the engine."""

from jikimi.detect.engine import DEFAULT_MIN_SCORE, Scanner, scan
from jikimi.detect.finding import Finding

__all__ = ["DEFAULT_MIN_SCORE", "Finding", "Scanner", "scan"]

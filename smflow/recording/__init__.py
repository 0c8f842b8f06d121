"""smflow.recording."""

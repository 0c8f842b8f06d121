"""smflow.emulator."""

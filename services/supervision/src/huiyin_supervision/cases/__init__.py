"""Case use cases: opening, handling, supervision, timers. They take a unit of work and never commit."""

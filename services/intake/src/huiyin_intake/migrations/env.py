from huiyin_intake.db import metadata
from huiyin_shared.db.migrations import run_migrations

run_migrations(metadata)

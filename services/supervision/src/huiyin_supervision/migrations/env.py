from huiyin_shared.db.migrations import run_migrations
from huiyin_supervision.db import metadata

run_migrations(metadata)

from huiyin_shared.testing.fixtures import *  # noqa: F403

"""`python -m helpers`: prepare every embedded model (what `make models` runs), then print where each lies.

A separate entry point, because `python -m helpers.engine.embedded` would run a module the package has
already imported (runpy warns about that).
"""

from .engine.embedded import prepare_all

for name, path in prepare_all().items():
    print(f"{name:24s} {path}")
